"""Exports of the dashboard's view: download names, media types, progress, and the snapshot's size."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from conflictmap.export import (
    KINDS,
    MIME_TYPES,
    ExportError,
    default_title,
    export_filename,
    export_view,
)
from conflictmap.export.html import render_html
from conflictmap.export.provenance import make_provenance
from conflictmap.filters import FilterSpec

MADE = datetime(2024, 5, 2, 14, 3, 11, tzinfo=UTC)


def test_file_names_say_what_the_view_shows_and_when_it_was_made():
    spec = FilterSpec(
        event_types=("Battles",), admin1=("Timbuktu",), date_from=date(2023, 8, 1), date_to=date(2023, 10, 31)
    )
    assert export_filename(spec, "png", MADE) == "conflictmap_battles_timbuktu_2023-08-01-to-2023-10-31_2024-05-02.png"
    assert export_filename(FilterSpec(), "csv", MADE) == "conflictmap_all-events_2024-05-02.csv"
    odd = FilterSpec(actors=("JNIM: Group for Support of Islam and Muslims",), admin1=("Ségou",), text="a/b\\c")
    name = export_filename(odd, "html", MADE)
    assert name.startswith("conflictmap_segou_jnim-group-for-support-of-islam-and-muslims_a-b-c")
    assert name.endswith("_2024-05-02.html") and "/" not in name and "\\" not in name


def test_the_two_csv_layouts_download_under_different_names(make_events):
    assert (
        export_filename(FilterSpec(), "csv", MADE, layout="acled")
        == "conflictmap_all-events_acled-layout_2024-05-02.csv"
    )
    assert export_filename(FilterSpec(), "png", MADE, layout="acled") == "conflictmap_all-events_2024-05-02.png"
    events = make_events({})
    names = {
        export_view(events, FilterSpec(), "csv", layout=lay, created=MADE).filename for lay in ("canonical", "acled")
    }
    assert names == {"conflictmap_all-events_2024-05-02.zip", "conflictmap_all-events_acled-layout_2024-05-02.zip"}


def test_long_views_give_names_of_bounded_length():
    spec = FilterSpec(actors=tuple(f"Actor number {i}" for i in range(40)))
    assert len(export_filename(spec, "geojson", MADE)) < 120


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "csv"])
def test_every_kind_downloads_with_its_name_and_type(make_events, kind):
    events = make_events({}, {"event_type": "Protests", "sub_event_type": "Peaceful protest", "admin1": "Gao"})
    spec = FilterSpec(admin1=("Gao",))
    seen = []
    result = export_view(events, spec, kind, created=MADE, progress=lambda f, m: seen.append((f, m)))
    assert result.filename == f"conflictmap_gao_2024-05-02.{kind}"
    assert result.mime_type == MIME_TYPES[kind]
    assert result.provenance.events == 1 and result.provenance.kind == kind
    assert seen[0][0] == 0.0 and seen[-1] == (1.0, "done")
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)
    magic = {"png": b"\x89PNG", "pdf": b"%PDF", "gpkg": b"SQLite format 3", "svg": b"<?xml", "html": b"<!DOCTYPE"}
    assert result.data.startswith(magic.get(kind, b"{"))


def test_unknown_kind_is_refused(make_events):
    with pytest.raises(ExportError, match="unknown export kind"):
        export_view(make_events({}), FilterSpec(), "xlsx")


def test_default_title_names_the_countries(make_events):
    events = make_events({}, {}, {"country": "Burkina Faso"})
    assert default_title(events) == "Conflict events in Mali and Burkina Faso"
    assert default_title(events.iloc[0:0]) == "Conflict events"


def test_a_large_selection_makes_a_small_snapshot(synthetic):
    events = synthetic(100_000)
    page, prov = render_html(events, make_provenance(events, FilterSpec(), "html", title="All", created=MADE))
    assert prov.drawing["mode"] == "density"
    assert len(page.encode("utf-8")) < 5_000_000


def test_auto_draws_the_grid_when_markers_would_make_the_file_too_large(synthetic):
    events = synthetic(300)
    prov = make_provenance(events, FilterSpec(), "html", title="All", created=MADE)
    page_points, points = render_html(events, prov)
    assert points.drawing == {"mode": "points"}
    page_grid, capped = render_html(events, prov, max_bytes=len(page_points.encode("utf-8")) - 1)
    assert capped.drawing["mode"] == "density"
    assert '"drawing":{"mode":"density"' in page_grid
    assert len(page_grid) < len(page_points)
    # A mode asked for is kept whatever the size.
    _, kept = render_html(events, prov, mode="points", max_bytes=1000)
    assert kept.drawing == {"mode": "points"}
