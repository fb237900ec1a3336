"""Static images: PNG at the resolution asked, not blank, every type's colour where the type is drawn; PDF; SVG."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zlib
from datetime import UTC, datetime

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from PIL import Image

from conflictmap import grid, mapview
from conflictmap.export import ImageOptionError, export_view, read_provenance
from conflictmap.export.image import HOME_FILL, MAP_RECT, PAGE_IN, render_figure, write_image
from conflictmap.export.provenance import make_provenance
from conflictmap.export.stored import pdf_string
from conflictmap.filters import FilterSpec

MADE = datetime(2024, 5, 2, 14, 3, 11, tzinfo=UTC)
# Places spread over Mali, one per row of events below.
PLACES = [(16.27, -0.04), (14.48, -4.18), (15.92, 2.40), (12.64, -8.00), (13.43, -6.22), (18.44, 1.41)]


def _events(make_events, types):
    rows = []
    for i, event_type in enumerate(types):
        lat, lon = PLACES[i % len(PLACES)]
        sub = {"Battles": "Armed clash", "Riots": "Mob violence"}.get(event_type)
        rows.append(
            {"event_type": event_type, "sub_event_type": sub, "latitude": lat, "longitude": lon, "fatalities": 40}
        )
    return make_events(*rows)


def _prov(events, kind="png", title="Test map of Mali"):
    return make_provenance(events, FilterSpec(), kind, title=title, created=MADE)


def _png(events, **options) -> np.ndarray:
    buffer = io.BytesIO()
    write_image(events, _prov(events), buffer, "png", **options)
    with Image.open(io.BytesIO(buffer.getvalue())) as image:
        return np.asarray(image.convert("RGB"))


def _map_area(pixels: np.ndarray) -> np.ndarray:
    height, width = pixels.shape[:2]
    left, bottom, w, h = MAP_RECT
    return pixels[
        int((1 - bottom - h) * height) + 2 : int((1 - bottom) * height) - 2,
        int(left * width) + 2 : int((left + w) * width) - 2,
    ]


def _pixels_near(area: np.ndarray, rgb: tuple[float, float, float], tolerance: int = 4) -> int:
    target = np.array(rgb) * 255
    return int((np.abs(area.astype(int) - target).max(axis=2) <= tolerance).sum())


def _marker_colour(colour: str) -> tuple[float, float, float]:
    """A marker's fill as drawn: the type colour at 85 % over Mali's land colour."""
    return tuple(0.85 * np.array(to_rgb(colour)) + 0.15 * np.array(to_rgb(HOME_FILL)))


def test_png_has_the_width_asked_for(make_events):
    events = _events(make_events, ["Battles"])
    assert _png(events, width_px=1200).shape[:2] == (round(1200 * PAGE_IN[1] / PAGE_IN[0]), 1200)
    assert _png(events, width_px=2001).shape[1] == 2001
    assert _png(events, dpi=72).shape[:2] == (int(PAGE_IN[1] * 72), int(PAGE_IN[0] * 72))


@pytest.mark.parametrize("options", [{"dpi": 10}, {"dpi": 5000}, {"width_px": 50}, {"dpi": 100, "width_px": 900}])
def test_resolutions_out_of_range_are_refused(make_events, options):
    with pytest.raises(ImageOptionError):
        _png(_events(make_events, ["Battles"]), **options)


def test_each_type_drawn_shows_in_its_colour_and_no_other_type_colour_appears(make_events):
    present = ["Battles", "Violence against civilians", "Protests", "Strategic developments"]
    pixels = _png(_events(make_events, present), dpi=100)
    area = _map_area(pixels)
    # Not blank: the basemap, towns and markers give many colours.
    packed = (area[..., 0].astype(np.int32) << 16) | (area[..., 1].astype(np.int32) << 8) | area[..., 2]
    assert len(np.unique(packed)) > 50
    for name, colour in mapview.EVENT_TYPE_COLORS.items():
        found = _pixels_near(area, _marker_colour(colour))
        if name in present:
            assert found > 30, f"{name} ({colour}) is not drawn"
        else:
            assert found < 3, f"{name} ({colour}) is drawn but not in the data"


def test_approximate_places_are_drawn_as_rings_wider_than_the_marker(make_events):
    exact = make_events({"geo_precision": 1, "latitude": 15.0, "longitude": -2.0, "fatalities": 0})
    region = make_events({"geo_precision": 4, "latitude": 15.0, "longitude": -2.0, "fatalities": 0})
    colour = mapview.EVENT_TYPE_COLORS["Battles"]
    solid = _pixels_near(_map_area(_png(exact, dpi=100)), _marker_colour(colour))
    ring = _pixels_near(_map_area(_png(region, dpi=100)), to_rgb(colour), tolerance=40)
    assert solid > 10
    # A 150 km dashed ring's outline covers far more pixels than a small solid marker.
    assert ring > 3 * solid


def test_the_grid_shows_counts_and_the_type_colours_in_its_legend(synthetic):
    events = synthetic(3000)
    fig, ax = render_figure(events, _prov(events), mode="density")
    cells = [c for c in ax.collections if c.get_zorder() == 4]
    assert len(cells) == 1
    counted = grid.aggregate_grid(events, grid.choose_cell_deg(events))
    assert len(cells[0].get_paths()) == len(counted) and counted["events"].sum() == 3000
    texts = " ".join(t.get_text() for a in fig.axes for t in a.texts)
    assert "Events per" in texts and "Battles" in texts


def test_an_empty_selection_still_makes_a_page(make_events):
    events = _events(make_events, ["Battles"]).iloc[0:0]
    _, ax = render_figure(events, _prov(events))
    assert any("No events match" in t.get_text() for t in ax.texts)


# -- PDF --------------------------------------------------------------------------------------------


def _pdf_streams(data: bytes) -> list[bytes]:
    out = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, flags=re.DOTALL):
        try:
            out.append(zlib.decompress(raw))
        except zlib.error:
            out.append(raw)
    return out


def _pdf_text(data: bytes) -> str:
    """The text shown on the pages: each text object's strings joined.

    matplotlib embeds fonts as Type 0 with Identity-H encoding and gives each
    glyph its Unicode code point as character id, so the two-byte codes read
    as UTF-16BE.
    """
    blocks = []
    for stream in _pdf_streams(data):
        for block in re.findall(rb"BT(.*?)ET", stream, flags=re.DOTALL):
            parts, i = [], 0
            while (i := block.find(b"(", i)) >= 0:
                raw, i = pdf_string(block, i)
                parts.append(raw.decode("utf-16-be", errors="replace"))
            blocks.append("".join(parts))
    return "\n".join(blocks)


def test_pdf_is_one_page_with_the_title_text(make_events):
    events = _events(make_events, ["Battles", "Riots"])
    result = export_view(
        events, FilterSpec(event_types=("Battles",)), "pdf", title="Clashes near Gao, $5 and $10", created=MADE
    )
    assert result.mime_type == "application/pdf" and result.data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", result.data)) == 1
    assert re.search(rb"/Type\s*/Pages\b[^>]*/Count 1\b", result.data)
    text = _pdf_text(result.data)
    assert "Clashes near Gao, $5 and $10" in text
    assert "Filter: Battles" in text
    assert "Armed Conflict" not in text  # test events are dataset "test": no ACLED credit
    assert result.provenance.events == 1


# -- SVG --------------------------------------------------------------------------------------------


def test_svg_parses_and_holds_title_metadata_and_record(make_events):
    events = _events(make_events, ["Battles", "Protests"])
    title = "Protests & <clashes>"
    result = export_view(events, FilterSpec(), "svg", title=title, created=MADE)
    root = ET.fromstring(result.data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert title in texts
    assert root.find(".//{http://purl.org/dc/elements/1.1/}title").text == title
    assert result.provenance.title == title


def test_a_written_svg_file_reads_back(make_events, tmp_path):
    events = _events(make_events, ["Battles"])
    path = tmp_path / "m.svg"
    write_image(events, _prov(events, "svg"), str(path), "svg")
    assert read_provenance(path).kind == "svg"
    with pytest.raises(ImageOptionError, match="PNG only"):
        write_image(events, _prov(events, "svg"), str(path), "svg", dpi=300)
