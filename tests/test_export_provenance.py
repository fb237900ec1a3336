"""Provenance: what an export records, and reading it back out of every kind of export file."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from conflictmap.export import KINDS, ProvenanceError, read_provenance, sidecar_path, write_export
from conflictmap.export.provenance import (
    ATTRIBUTIONS,
    Provenance,
    SourceInfo,
    make_provenance,
    source_info,
    upload_info,
    view_url,
)
from conflictmap.export.stored import pdf_info, pdf_string
from conflictmap.filters import FilterSpec
from conflictmap.readers import read_events

FIXTURE = Path(__file__).parent / "fixtures" / "export" / "mixed_events.csv"
MADE = datetime(2024, 5, 2, 14, 3, 11, tzinfo=UTC)
SPEC = FilterSpec(date_from=date(2023, 7, 1), event_types=("Battles", "Violence against civilians"))


@pytest.fixture(scope="module")
def mixed():
    events, report = read_events(FIXTURE)
    return events, report


def test_record_describes_the_filtered_events_and_their_datasets(mixed):
    events, report = mixed
    shown = SPEC.apply(events)
    prov = make_provenance(
        shown,
        SPEC,
        "png",
        title="Battles and attacks",
        sources=[source_info(FIXTURE, format=report.format, rows_read=9, rows_loaded=9)],
        versions={"ucdp_ged": "GED 24.1"},
        base_url="https://maps.example.org/conflict",
        created=MADE,
    )
    assert prov.events == len(shown) == 4
    assert prov.fatalities == 12 + 5 + 25 + 0
    # MIX-07 (June) is outside the dates; the span runs to MIX-06's end date.
    assert (prov.first_date, prov.last_date) == ("2023-07-20", "2023-09-12")
    assert prov.created == "2024-05-02T14:03:11Z"
    assert prov.tool.startswith("conflictmap ")
    by_name = {d.name: d for d in prov.datasets}
    assert prov.datasets[0].name == "acled"
    assert by_name["acled"].events == 2 and by_name["ucdp_ged"].events == 1 and by_name["manual"].events == 1
    assert by_name["acled"].latest_update == "2023-09-26T12:00:00Z"
    assert by_name["ucdp_ged"].latest_update is None and by_name["ucdp_ged"].version == "GED 24.1"
    assert "Armed Conflict Location & Event Data Project (ACLED); www.acleddata.com" in prov.attributions()
    assert ATTRIBUTIONS["ucdp_ged"] in prov.attributions()
    assert prov.sources[0].sha256 == source_info(FIXTURE).sha256 and prov.sources[0].file == FIXTURE.name
    assert prov.filter_text == SPEC.describe()


def test_view_url_restores_the_filter():
    spec = FilterSpec(
        date_from="2023-08-01",
        date_to="2023-10-31",
        actors=("JNIM", "Wagner Group"),
        admin1=("Timbuktu",),
        text="Ségou & Ber",
    )
    url = view_url(spec, "https://maps.example.org/conflict/")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://maps.example.org/conflict/"
    assert FilterSpec.from_query_params(parse_qs(parts.query)) == spec
    assert view_url(FilterSpec(), "http://127.0.0.1:8501") == "http://127.0.0.1:8501/"


def test_view_url_can_carry_the_whole_page_state():
    spec = FilterSpec(admin1=("Gao",))
    url = view_url(
        spec, "http://127.0.0.1:8501", {**spec.to_query_params(), "src": ["a.csv", "b.csv"], "view": "points"}
    )
    assert url == "http://127.0.0.1:8501/?region=Gao&src=a.csv&src=b.csv&view=points"


def test_sources_that_are_gone_are_named_without_a_hash(tmp_path):
    info = source_info(tmp_path / "uploaded.csv", format="acled", rows_read=3, rows_loaded=3)
    assert (info.file, info.sha256, info.format) == ("uploaded.csv", None, "acled")
    prov = make_provenance(
        read_events(FIXTURE)[0], FilterSpec(), "csv", title="T", sources=[info], created=MADE, base_url=""
    )
    assert "uploaded.csv (acled; the file was not found when exporting)" in "\n".join(prov.lines())


def test_an_uploaded_file_is_recorded_with_the_hash_of_its_bytes():
    data = FIXTURE.read_bytes()
    received = datetime(2024, 5, 2, 9, 0, tzinfo=UTC)
    info = upload_info("../folder/mixed_events.csv", data, format="canonical", rows_read=9, received=received)
    assert info == SourceInfo(
        file="mixed_events.csv",
        sha256=hashlib.sha256(data).hexdigest(),
        bytes=len(data),
        modified="2024-05-02T09:00:00Z",
        format="canonical",
        rows_read=9,
    )
    assert info.sha256 == source_info(FIXTURE).sha256, "the same hash as the file on disk"
    prov = make_provenance(read_events(FIXTURE)[0], FilterSpec(), "csv", title="T", sources=[info], created=MADE)
    assert f"  sha256 {info.sha256}" in prov.lines()
    assert Provenance.from_json(prov.to_json()).sources[0].sha256 == info.sha256


def test_view_url_uses_the_public_url_setting(monkeypatch):
    monkeypatch.setenv("CONFLICTMAP_PUBLIC_URL", "https://dash.example.net")
    assert view_url(FilterSpec(admin1=("Gao",))) == "https://dash.example.net/?region=Gao"


def test_record_survives_json(mixed):
    events, _ = mixed
    prov = make_provenance(events, SPEC, "csv", title="T", layout="acled", created=MADE, drawing={"mode": "points"})
    again = Provenance.from_json(prov.to_json())
    assert again == prov
    assert again.spec == SPEC


@pytest.mark.parametrize("text", ["not json", json.dumps({"title": "no marker"}), json.dumps([1, 2])])
def test_a_broken_record_is_refused(text):
    with pytest.raises(ProvenanceError):
        Provenance.from_json(text)


@pytest.mark.parametrize("kind", KINDS)
def test_every_export_carries_its_record(mixed, tmp_path, kind):
    events, report = mixed
    path = tmp_path / f"view.{kind}"
    prov, written = write_export(
        events, SPEC, path, title="Mali, July–Sept 2023", sources=[report, FIXTURE], created=MADE
    )
    assert written[0] == path and path.stat().st_size > 0
    found = read_provenance(path)
    assert found == prov
    assert found.kind == kind and found.events == 4 and found.title == "Mali, July–Sept 2023"
    assert found.spec == SPEC
    if kind in ("html", "png", "pdf", "svg"):
        assert found.drawing["mode"] == "points"


def test_csv_keeps_its_record_in_a_sidecar(mixed, tmp_path):
    events, _ = mixed
    path = tmp_path / "events.csv"
    prov, written = write_export(events, SPEC, path, created=MADE)
    assert written == [path, sidecar_path(path)] and sidecar_path(path).name == "events.csv.provenance.json"
    assert "_provenance" not in path.read_text(encoding="utf-8")
    assert read_provenance(sidecar_path(path)) == prov
    sidecar_path(path).unlink()
    assert read_provenance(path) is None


def test_png_and_pdf_state_the_record_in_their_standard_fields(mixed, tmp_path):
    from PIL import Image

    events, _ = mixed
    png, _ = write_export(events, SPEC, tmp_path / "m.png", title="Sahel", created=MADE)
    with Image.open(tmp_path / "m.png") as image:
        text = image.text
    assert text["Title"] == "Sahel"
    assert text["Source"] == png.view_url
    assert SPEC.describe() in text["Description"]
    write_export(events, SPEC, tmp_path / "m.pdf", title="Sahel", created=MADE)
    data = (tmp_path / "m.pdf").read_bytes()
    assert pdf_info(data, "Title") == "Sahel"
    assert SPEC.describe() in pdf_info(data, "Subject")


def test_pdf_strings_are_unescaped():
    raw = rb"/X (a\(b\) c\\d \101\nend \
more) >>"
    text, end = pdf_string(raw, raw.index(b"("))
    assert text == b"a(b) c\\d A\nend more"
    assert raw[end:] == b" >>"


def test_a_hostile_title_cannot_break_out_of_the_html_record(mixed, tmp_path):
    events, _ = mixed
    title = '</script><script>alert("t")</script> & <b>'
    write_export(events, SPEC, tmp_path / "m.html", title=title, created=MADE)
    page = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert "<script>alert(" not in page
    assert read_provenance(tmp_path / "m.html").title == title


def test_files_without_a_record(tmp_path):
    plain = tmp_path / "plain.csv"
    plain.write_text("a,b\n1,2\n", encoding="utf-8")
    assert read_provenance(plain) is None
    with pytest.raises(FileNotFoundError):
        read_provenance(tmp_path / "missing.png")


def test_a_damaged_record_is_reported_with_the_file_name(mixed, tmp_path):
    events, _ = mixed
    path = tmp_path / "m.html"
    write_export(events, SPEC, path, created=MADE)
    page = path.read_text(encoding="utf-8")
    path.write_text(page.replace('"conflictmap_provenance":1', '"conflictmap_provenance":1,,'), encoding="utf-8")
    with pytest.raises(ProvenanceError, match=r"m\.html"):
        read_provenance(path)
