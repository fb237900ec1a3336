"""The page's export, event store and article review panels under Streamlit's AppTest, on a temporary store."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT, SEED_EVENTS
from pagetools import folium_args, make_page, plain
from streamlit.testing.v1 import AppTest

from conflictmap import deletions, downloads
from conflictmap.export import export_filename, export_view, read_provenance
from conflictmap.extract.candidates import REVIEW_THRESHOLD
from conflictmap.filters import FilterSpec
from conflictmap.readers import read_events
from conflictmap.store import open_store

ARTICLES = ROOT / "tests" / "articles"


@pytest.fixture
def store_path(monkeypatch, tmp_path) -> Path:
    """A temporary store (not created yet) named by ``CONFLICTMAP_STORE``."""
    path = tmp_path / "store" / "events.gpkg"
    path.parent.mkdir()
    monkeypatch.delenv("CONFLICTMAP_DB", raising=False)
    monkeypatch.setenv("CONFLICTMAP_STORE", str(path))
    return path


def page(monkeypatch, query: dict | None = None, panel: str | None = None) -> AppTest:
    at = make_page(monkeypatch, query=query)
    if panel:
        at.session_state["panel"] = panel
    return at.run()


def map_ids(at: AppTest) -> set[str]:
    """The events on the main map's layer."""
    maps = folium_args(at)
    # The main map reports its view back; the article review's map does not.
    (args,) = [m for m in maps if "bounds" in m["returned_objects"]]
    (table,) = [
        json.loads(t) for t in re.findall(r"var data = (\{[^\n]*\});\n", args["feature_group"]) if '"fields"' in t
    ]
    column = table["fields"].index("id")
    return {table["strings"][row[column]] for row in table["rows"]}


def downloads_on(at: AppTest) -> list:
    return list(at.get("download_button"))


# -- export ------------------------------------------------------------------------------------------------


def test_export_downloads_the_current_filtered_view(monkeypatch, store_path):
    at = page(monkeypatch, query={"type": "Battles"}, panel="Export")
    assert not at.exception
    assert "Battles" in at.caption[0].value or any("Battles" in c.value for c in at.caption)
    at.selectbox(key="x_kind").set_value("csv").run()
    at.button(key="x_prepare").click().run()
    assert not at.exception and not at.error
    (button,) = [b for b in downloads_on(at) if "x_download" in b.proto.id]
    spec = FilterSpec(event_types=("Battles",))
    expected = export_filename(spec, "csv").removesuffix(".csv") + ".zip"
    assert plain(button.label) == f"Download {expected}"
    # The panel calls export_view with the same view: its file holds the filtered events only.
    seed, _ = read_events(SEED_EVENTS)
    made = export_view(seed, spec, "csv", **downloads.export_options("csv"))
    with zipfile.ZipFile(io.BytesIO(made.data)) as archive:
        names = archive.namelist()
        rows = archive.read(next(n for n in names if n.endswith(".csv"))).decode().strip().splitlines()
    assert len(rows) - 1 == int((seed["event_type"] == "Battles").sum()) < len(seed)
    assert made.mime_type == "application/zip"
    # Another filter is another view: the prepared file is no longer offered.
    at.query_params["type"] = "Protests"
    at.run()
    assert not [b for b in downloads_on(at) if "x_download" in b.proto.id]


def test_export_html_records_the_view_link(monkeypatch, store_path, tmp_path):
    at = page(monkeypatch, query={"region": "Bamako"}, panel="Export")
    at.selectbox(key="x_kind").set_value("html").run()
    at.text_input(key="x_title").input("Bamako <b>briefing</b>").run()
    at.button(key="x_prepare").click().run()
    assert not at.exception and not at.error
    (button,) = [b for b in downloads_on(at) if "x_download" in b.proto.id]
    assert plain(button.label).startswith("Download conflictmap_bamako_") and button.label.endswith(".html")
    made = at.session_state["x_result"][1]
    path = tmp_path / made.filename
    path.write_bytes(made.data)
    prov = read_provenance(path)
    assert prov.title == "Bamako <b>briefing</b>"
    assert "region=Bamako" in prov.view_url
    assert prov.events == 2
    assert "<b>briefing</b>" not in made.data.decode()


def test_export_options_keep_only_what_a_format_takes():
    assert downloads.export_options("png", dpi=300)["dpi"] == 300
    assert "dpi" not in downloads.export_options("pdf", dpi=300)
    assert downloads.export_options("geojson", layout="acled")["layout"] == "canonical"
    assert downloads.export_options("csv", layout="acled")["layout"] == "acled"
    assert downloads.export_options("png", mode="clusters")["mode"] == "auto"
    assert downloads.export_options("html", mode="clusters")["mode"] == "clusters"
    assert downloads.export_options("svg", title="  ")["title"] is None
    with pytest.raises(ValueError, match="unknown export format"):
        downloads.export_options("bmp")
    with pytest.raises(ValueError, match="at most 200"):
        downloads.export_options("png", title="x" * 201)


# -- the event store -----------------------------------------------------------------------------------------


def fill_event(at: AppTest, *, place: str = "Kati", source: str | None = "Journal du Mali, 8 Sept 2023") -> None:
    at.text_input(key="ev_place_text").input(place).run()
    at.date_input(key="ev_event_date").set_value(date(2023, 9, 7)).run()
    at.selectbox(key="ev_event_type").set_value("Battles").run()
    at.selectbox(key="ev_sub_event_type").set_value("Armed clash").run()
    at.selectbox(key="ev_actor1").set_value("Malian armed forces").run()
    at.number_input(key="ev_fatalities").set_value(3).run()
    if source is not None:
        at.text_input(key="ev_source").input(source).run()


def test_a_missing_source_is_named_and_nothing_is_saved(monkeypatch, store_path):
    at = page(monkeypatch, panel="Event store")
    assert not at.exception
    fill_event(at, source=None)
    at.button(key="ev_save").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert "Nothing was saved: correct the fields marked below." in errors
    assert any(e.startswith("Source: got nothing; expected a value") for e in errors)
    assert not store_path.exists(), "a refused save makes no store file"
    assert "store" not in at.multiselect(key="f_sources").value


def test_an_added_event_is_on_the_map_at_once_with_its_history(monkeypatch, store_path):
    with open_store(store_path) as store:
        store.import_file(SEED_EVENTS)
    at = page(monkeypatch, query={"src": "store"}, panel="Event store")
    before = map_ids(at)
    assert len(before) == 5
    fill_event(at)
    at.button(key="ev_save").click().run()
    assert not at.exception and not at.error
    (message,) = [s.value for s in at.success]
    new_id = re.search(r"Event (\S+) added", message).group(1)
    assert map_ids(at) == before | {new_id}
    with open_store(store_path) as store:
        added = store.get_event(new_id)
    assert (added["location"], added["admin1"], added["fatalities"]) == ("Kati", "Koulikoro", 3)
    assert added["source"] == "Journal du Mali, 8 Sept 2023"
    # The selected event comes from the store: its history is there, and it can be edited.
    assert at.session_state["selected_event"] == new_id
    (history,) = [e for e in at.expander if e.label.startswith("Change history")]
    at.button(key=f"edit-{new_id}").click().run()
    assert at.session_state["ev_edit"].event_id == new_id
    at.number_input(key="ev_fatalities").set_value(5).run()
    at.text_input(key="ev_reason").input("Toll revised").run()
    at.button(key="ev_save").click().run()
    assert not at.exception and not at.error
    assert [s.value for s in at.success] == [f"Event {new_id} edited (version 2)."]
    # The confirmation outlives the reruns that follow a save (the live refresh is one), until the form is used.
    at.run()
    assert [s.value for s in at.success] == [f"Event {new_id} edited (version 2)."]
    (history,) = [e for e in at.expander if e.label.startswith("Change history")]
    assert history.label == "Change history (2)"
    table = history.dataframe[0].value
    assert table["What changed"].iloc[0] == "fatalities: 3 → 5"
    assert table["Reason"].iloc[0] == "Toll revised"


def test_a_store_that_cannot_be_opened_leaves_the_page_working(monkeypatch, store_path):
    monkeypatch.setenv("CONFLICTMAP_DB", "mysql://nowhere")
    at = page(monkeypatch, panel="Event store")
    assert not at.exception
    errors = [plain(e.value) for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("The event store cannot be opened: CONFLICTMAP_DB must be")
    assert len(map_ids(at)) == 5


# -- article review ------------------------------------------------------------------------------------------

GAO_ARTICLE = ARTICLES / "en_wire_gao_roadside_bomb.txt"
HOSTILE_ARTICLE = (
    "GAO, Mali (Sahel Wire) - Four Malian soldiers were killed on Tuesday when their vehicle struck an "
    "improvised explosive device near Gao <script>alert(1)</script>, the army said "
    '<img src=x onerror=alert(2)> "><svg onload=alert(3)>.'
)


def extract(at: AppTest, text: str, published: date, source: str) -> AppTest:
    at.text_area(key="rv_text").input(text).run()
    at.date_input(key="rv_published").set_value(published).run()
    at.text_input(key="rv_source").input(source).run()
    return at.button(key="rv_extract").click().run()


def test_an_article_gives_candidates_and_the_accepted_ones_go_into_the_store(monkeypatch, store_path):
    at = page(monkeypatch, panel="Article review")
    extract(at, GAO_ARTICLE.read_text(), date(2022, 2, 22), "Sahel Wire")
    assert not at.exception and not at.error
    table = at.session_state["rv_result"].table
    # Three incidents above the default confidence; what lies below it (the closing history line) is not ticked.
    likely = table["Confidence"] >= REVIEW_THRESHOLD
    assert likely.sum() == 3 and list(table["Save"]) == list(likely)
    assert {"Gao", "Tessit"} <= set(table["Place"])
    # AppTest cannot type into a data editor: the third row is un-ticked in the table the editor starts from.
    result = at.session_state["rv_result"]
    result.table.loc[result.table.index[2], "Save"] = False
    at.button(key="rv_save").click().run()
    assert not at.exception and not at.error
    assert "2 events saved into the store (dataset “article”)." in [s.value for s in at.success]
    with open_store(store_path) as store:
        stored = store.query()
    assert len(stored) == 2
    assert set(stored["dataset"].astype(str)) == {"article"}
    assert set(stored["event_id"]) == set(table.index[:2])
    assert all(s.startswith("Sahel Wire, 2022-02-22") for s in stored["source"])
    # They are on the map at once: the store joined the datasets shown.
    assert "store" in at.multiselect(key="f_sources").value
    assert set(table.index[:2]) <= map_ids(at)
    # A second extraction flags them as likely duplicates of what is now stored.
    at.button(key="rv_extract").click().run()
    again = at.session_state["rv_result"].table
    assert again.loc[table.index[0], "Likely duplicate of"].startswith(table.index[0])
    assert not again.loc[table.index[0], "Save"]


def test_hostile_article_text_never_becomes_live_html(monkeypatch, store_path):
    at = page(monkeypatch, panel="Article review")
    extract(at, HOSTILE_ARTICLE, date(2023, 9, 7), "<b>Wire</b>")
    assert not at.exception and not at.error
    unsafe = [m.value for m in at.markdown if "evidence" in m.value]
    assert unsafe, "the evidence is shown"
    html = "".join(unsafe)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html and "<img" not in html and "<svg" not in html
    assert "<mark" in html


def test_review_edits_re_geocode_the_place_and_keep_unknown_places():
    from conflictmap import review
    from conflictmap.extract import extract_events

    candidates = extract_events(GAO_ARTICLE.read_text(), published=date(2022, 2, 22), source="Sahel Wire")
    table = review.review_table(candidates)
    first, second = table.index[:2]
    table.loc[first, "Place"] = "Ansongo"
    table.loc[second, "Place"] = "Atlantis"
    table.loc[second, "Fatalities"] = 9
    reviewed, problems = review.apply_review(candidates, table)
    moved = reviewed.set_index("event_id").loc[first]
    assert (moved["location"], moved["admin1"]) == ("Ansongo", "Gao")
    assert abs(moved["latitude"] - 15.66) < 0.05 and abs(moved.geometry.y - moved["latitude"]) < 1e-9
    kept = reviewed.set_index("event_id").loc[second]
    assert kept["location"] == candidates.set_index("event_id").loc[second, "location"]
    assert kept["fatalities"] == 9
    assert problems == {second: f"place 'Atlantis' is not in the gazetteer; the event keeps {kept['location']!r}"}
    table["Save"] = [True] + [False] * (len(table) - 1)
    (fields,) = review.accepted_fields(reviewed, table, source="Sahel Wire")
    assert (fields["dataset"], fields["location"], fields["event_id"]) == ("article", "Ansongo", first)


# -- deleting and restoring stored events ------------------------------------------------------------------


def seeded_store(store_path: Path) -> None:
    with open_store(store_path) as store:
        store.import_file(SEED_EVENTS)


def select(at: AppTest, event_id: str) -> AppTest:
    at.session_state["selected_event"] = event_id
    return at.run()


def status(store_path: Path, event_id: str) -> str:
    with open_store(store_path) as store:
        return str(store.get_event(event_id)["status"])


def test_a_deletion_asks_a_reason_and_a_confirmation_then_the_event_leaves_the_map(monkeypatch, store_path):
    seeded_store(store_path)
    monkeypatch.setenv("CONFLICTMAP_USER", "analyst-c")
    at = select(page(monkeypatch, query={"src": "store"}), "SEED-0003")
    assert "SEED-0003" in map_ids(at)
    at.button(key="delete-SEED-0003").click().run()
    assert [e.value for e in at.error if e.value.startswith("Give a reason")]
    at.text_input(key="del_reason-SEED-0003").input("Same clash as SEED-0001").run()
    at.button(key="delete-SEED-0003").click().run()
    assert "Tick “Yes, delete this event” to confirm." in [e.value for e in at.error]
    assert status(store_path, "SEED-0003") == "active"
    at.checkbox(key="del_sure-SEED-0003").check().run()
    at.button(key="delete-SEED-0003").click().run()
    assert not at.exception and not at.error
    assert map_ids(at) == {"SEED-0001", "SEED-0002", "SEED-0004", "SEED-0005"}
    assert [t.value for t in at.toast] == [deletions.deleted_message("SEED-0003")]
    assert at.session_state["selected_event"] is None
    assert "Event store (4 events)" in at.multiselect(key="f_sources").options
    with open_store(store_path) as store:
        last = store.history("SEED-0003").iloc[-1]
    assert (last["change"], last["changed_by"], last["reason"]) == ("delete", "analyst-c", "Same clash as SEED-0001")

    # The Event store tab lists it, with who deleted it and why; "Restore" puts it back on the map.
    at.session_state["panel"] = "Event store"
    at.run()
    cells = [t.value for t in at.text]
    assert {"SEED-0003", "2023-08-21", "Ber, Timbuktu", "analyst-c", "Same clash as SEED-0001"} <= set(cells)
    assert any(c.startswith("1 event is deleted") for c in (c.value for c in at.caption))
    at.button(key="restore-SEED-0003").click().run()
    assert not at.exception and not at.error
    assert "Event SEED-0003 restored (version 3): it is back on the map." in [s.value for s in at.success]
    assert "SEED-0003" in map_ids(at) and len(map_ids(at)) == 5
    assert at.session_state["selected_event"] == "SEED-0003"
    assert status(store_path, "SEED-0003") == "active"
    assert deletions.deleted_caption(0, 0) in [c.value for c in at.caption]
    assert not [b for b in at.button if b.key and b.key.startswith("restore-")]


def test_a_deletion_based_on_an_old_version_is_refused_and_says_who_changed_it(monkeypatch, store_path):
    seeded_store(store_path)
    monkeypatch.setenv("CONFLICTMAP_USER", "analyst-c")
    at = select(page(monkeypatch, query={"src": "store"}), "SEED-0001")
    at.text_input(key="del_reason-SEED-0001").input("Duplicate").run()
    at.checkbox(key="del_sure-SEED-0001").check().run()
    # Another analyst edits it while this page shows it.
    with open_store(store_path, user="analyst-b") as store:
        store.edit_event("SEED-0001", {"fatalities": 4})
    at.button(key="delete-SEED-0001").click().run()
    assert not at.exception
    (error,) = [e.value for e in at.error]
    assert error.startswith("Event SEED-0001 was not deleted: analyst-b changed it at ")
    assert status(store_path, "SEED-0001") == "active"
    assert "SEED-0001" in map_ids(at)
    # The page now holds the new version: deleting again goes ahead.
    at.button(key="delete-SEED-0001").click().run()
    assert not at.error
    assert status(store_path, "SEED-0001") == "deleted"


def test_an_event_someone_else_deleted_meanwhile_is_not_deleted_twice(monkeypatch, store_path):
    seeded_store(store_path)
    at = select(page(monkeypatch, query={"src": "store"}), "SEED-0002")
    at.text_input(key="del_reason-SEED-0002").input("Duplicate").run()
    at.checkbox(key="del_sure-SEED-0002").check().run()
    with open_store(store_path, user="analyst-b") as store:
        store.delete_event("SEED-0002", reason="Duplicate of SEED-0001")
    at.button(key="delete-SEED-0002").click().run()
    assert not at.exception and not at.error
    (toast,) = [t.value for t in at.toast]
    assert re.fullmatch(
        r"Event SEED-0002 was not deleted: analyst-b deleted it at \S+ \S+ UTC; it is listed under "
        r"“Deleted events” in the Event store tab\.",
        toast,
    )
    assert "SEED-0002" not in map_ids(at)
    with open_store(store_path) as store:
        history = store.history("SEED-0002")
    assert list(history["change"]) == ["import", "delete"]
    assert history["reason"].iloc[-1] == "Duplicate of SEED-0001"


def test_a_restore_that_someone_overtook_is_refused_in_words(monkeypatch, store_path):
    seeded_store(store_path)
    with open_store(store_path, user="analyst-c") as store:
        store.delete_event("SEED-0002", reason="Duplicate")
        store.delete_event("SEED-0004", reason="Not an event")
    at = page(monkeypatch, query={"src": "store"}, panel="Event store")
    assert {"SEED-0002", "SEED-0004"} <= {t.value for t in at.text}
    # While the list is shown, another analyst restores one event...
    with open_store(store_path, user="analyst-b") as store:
        store.undelete_event("SEED-0004")
    at.button(key="restore-SEED-0004").click().run()
    assert not at.exception
    (error,) = [e.value for e in at.error]
    assert re.fullmatch(
        r"Event SEED-0004 was not restored: analyst-b restored it at \S+ \S+ UTC; it is back on the map\.", error
    )
    # ...and restores and deletes the other again: the list showed an older version.
    with open_store(store_path, user="analyst-b") as store:
        store.undelete_event("SEED-0002")
        store.delete_event("SEED-0002", reason="Duplicate after all")
    at.button(key="restore-SEED-0002").click().run()
    assert not at.exception
    (error,) = [e.value for e in at.error]
    assert error.startswith("Event SEED-0002 was not restored: analyst-b changed it at ")
    assert status(store_path, "SEED-0002") == "deleted"
    # The list now shows who deleted it last and why.
    assert {"analyst-b", "Duplicate after all"} <= {t.value for t in at.text}
    assert "SEED-0004" not in {t.value for t in at.text}


def test_the_live_check_shows_while_the_store_is_shown(monkeypatch, store_path):
    seeded_store(store_path)
    at = page(monkeypatch, query={"src": "store"})
    assert not at.exception
    (live,) = [c.value for c in at.sidebar.caption if c.value.startswith("Live:")]
    assert live == "Live: changes others make to the event store show within 10 s."


def test_no_live_check_without_the_store_shown(monkeypatch, store_path):
    seeded_store(store_path)
    at = page(monkeypatch)
    assert not at.exception
    assert not [c for c in at.sidebar.caption if c.value.startswith("Live:")]


def test_a_bad_refresh_setting_is_named_and_the_default_used(monkeypatch, store_path):
    seeded_store(store_path)
    monkeypatch.setenv("CONFLICTMAP_REFRESH_S", "often")
    at = page(monkeypatch, query={"src": "store"})
    assert not at.exception
    (warning,) = [plain(w.value) for w in at.sidebar.warning]
    assert warning.startswith("CONFLICTMAP_REFRESH_S is 'often'; expected") and warning.endswith("the page uses 10 s.")
    assert any(c.value.endswith("show within 10 s.") for c in at.sidebar.caption)
