"""The Event store and Export panels under AppTest: updates from ACLED and UCDP (against the local stand-ins of
their APIs), a read-only store, the sharing notice and counts-only export, the animation, an upload's SHA-256.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from conftest import ROOT
from fakeapis import EMAIL, PASSWORD, UCDP_TOKEN, FakeApis, acled_row, ucdp_row
from pagetools import folium_args, make_page, plain

from conflictmap.readers import read_events
from conflictmap.store import open_store

FIXTURES = ROOT / "tests" / "fixtures" / "readers"
T0 = 1_714_600_000


@pytest.fixture
def api(monkeypatch, tmp_path):
    """The fake APIs, a fresh store and fetch folder; the ACLED password and the UCDP token are not set."""
    with FakeApis() as fake:
        monkeypatch.setenv("CONFLICTMAP_ACLED_URL", fake.url)
        monkeypatch.setenv("CONFLICTMAP_UCDP_URL", fake.url)
        monkeypatch.setenv("CONFLICTMAP_ACLED_EMAIL", EMAIL)
        monkeypatch.setenv("CONFLICTMAP_ACLED_PASSWORD", "")
        monkeypatch.setenv("CONFLICTMAP_UCDP_TOKEN", "")
        monkeypatch.setenv("CONFLICTMAP_FETCH_DIR", str(tmp_path / "fetch"))
        monkeypatch.setenv("CONFLICTMAP_FETCH_BACKOFF_S", "0")
        monkeypatch.setenv("CONFLICTMAP_FETCH_PAGE_SIZE", "3")
        monkeypatch.setenv("CONFLICTMAP_STORE", str(tmp_path / "events.gpkg"))
        monkeypatch.delenv("CONFLICTMAP_DB", raising=False)
        yield fake


def store_page(monkeypatch):
    at = make_page(monkeypatch)
    at.session_state["panel"] = "Event store"
    return at.run()


def metrics(at) -> dict[str, str]:
    """The update's counts as the page shows them."""
    return {m.label: m.value for m in at.metric if m.label in ("New events", "Changed events", "Deleted events")}


def secrets_in_state(at, *secrets: str) -> list[str]:
    """Session-state keys (the user's and every widget's, keyed or not) whose value holds one of ``secrets``."""
    inner = object.__getattribute__(at.session_state._state, "_state")  # SessionState, past its safe wrapper
    everything = {**inner._old_state, **at.session_state.to_dict()}
    return [str(k) for k, v in everything.items() if any(s in repr(v) for s in secrets)]


def test_acled_update_asks_the_missing_password_and_shows_the_changes_then_updates_again(api, monkeypatch):
    api.acled_events = [acled_row(n, timestamp=T0) for n in range(4)]
    at = store_page(monkeypatch)
    assert not at.exception
    # The settings hold the e-mail, not the password: the form asks the password only, as a password field.
    password = at.text_input(key="up_up_new_acled_password")
    assert password.proto.type == password.proto.PASSWORD
    assert not any(t.key == "up_up_new_acled_email" for t in at.text_input)
    password.input(PASSWORD)
    at.button(key="FormSubmitter:up_new_acled-Update from ACLED").click().run()
    assert not at.exception, at.exception
    assert metrics(at) == {"New events": "4", "Changed events": "0", "Deleted events": "0"}
    assert any("ACLED API, country Mali: 4 new, 0 changed, 0 deleted" in plain(s.value) for s in at.success)
    # A map of what changed, beside the page's own map.
    assert len(folium_args(at)) == 2
    # The password went to the API once and stays nowhere in the session.
    assert api.requests("/oauth/token")[0].form["password"] == PASSWORD
    assert secrets_in_state(at, PASSWORD) == []
    with open_store(create=False) as store:
        assert store.count() == 4

    # The earlier query has its own button; a changed and a new event come back as such.
    api.acled_events[2] = acled_row(2, timestamp=T0 + 500, fatalities=9)
    api.acled_events.append(acled_row(7, timestamp=T0 + 600))
    assert any("ACLED, country Mali (last run" in plain(m.value) for m in at.markdown)
    at.text_input(key="up_up_run_0_password").input(PASSWORD)
    at.button(key="FormSubmitter:up_run_0-Update").click().run()
    assert not at.exception
    assert metrics(at) == {"New events": "1", "Changed events": "1", "Deleted events": "0"}
    assert api.requests("/api/acled/read")[-1].params["timestamp"] == str(T0)
    assert secrets_in_state(at, PASSWORD) == []


def test_ucdp_update_with_the_token_from_the_form(api, monkeypatch):
    api.ucdp_events["25.1"] = [ucdp_row(n) for n in range(5)]
    at = store_page(monkeypatch)
    at.radio(key="up_source").set_value("ucdp").run()
    assert at.text_input(key="up_up_new_ucdp_country").value == "432"
    assert at.text_input(key="up_up_new_ucdp_version").value == "25.1"
    at.text_input(key="up_up_new_ucdp_token").input(UCDP_TOKEN)
    at.button(key="FormSubmitter:up_new_ucdp-Update from UCDP GED").click().run()
    assert not at.exception
    assert metrics(at)["New events"] == "5"
    assert api.requests("/api/gedevents/25.1")[0].headers["x-ucdp-access-token"] == UCDP_TOKEN
    assert secrets_in_state(at, UCDP_TOKEN) == []


def test_a_refused_password_is_one_escaped_line_without_the_password(api, monkeypatch):
    at = store_page(monkeypatch)
    at.text_input(key="up_up_new_acled_password").input("wrong-[pw](http://x.org)")
    at.button(key="FormSubmitter:up_new_acled-Update from ACLED").click().run()
    assert not at.exception
    errors = [e.value for e in at.error if "Could not update" in plain(e.value)]
    assert len(errors) == 1
    assert "wrong-" not in plain(errors[0]) and "pw" not in plain(errors[0])
    assert plain(errors[0]).startswith("Could not update from ACLED, country Mali:")
    assert not metrics(at)


def test_a_store_that_turns_read_only_during_an_update_says_so_in_one_line(api, monkeypatch):
    from conflictmap.store.report import StoreReadOnlyError

    def refused(*args, **kwargs):
        raise StoreReadOnlyError("the event store became read-only: its folder cannot be written")

    monkeypatch.setattr("conflictmap.fetch.update_store", refused)
    at = store_page(monkeypatch)
    at.text_input(key="up_up_new_acled_password").input(PASSWORD)
    at.button(key="FormSubmitter:up_new_acled-Update from ACLED").click().run()
    assert not at.exception
    assert [plain(e.value) for e in at.error] == [
        "Could not update from ACLED, country Mali: the event store became read-only: its folder cannot be written"
    ]
    assert secrets_in_state(at, PASSWORD) == []


def test_a_read_only_store_shows_why_and_no_write_control(monkeypatch, tmp_path):
    path = tmp_path / "events.gpkg"
    events, _ = read_events(ROOT / "data" / "seed_events.csv")
    with open_store(path) as store:
        store.import_events(events, source="seed")
    monkeypatch.setenv("CONFLICTMAP_STORE", str(path))
    monkeypatch.delenv("CONFLICTMAP_DB", raising=False)
    # The tests run as root, for whom no file is read-only: the store is told why it is.
    reason = "the file [is read-only](http://example.org/x) for this user"
    monkeypatch.setattr("conflictmap.store.gpkg._read_only_reason", lambda p: reason)
    at = make_page(monkeypatch, query={"src": "store"})
    at.session_state["panel"] = "Event store"
    at.run()
    assert not at.exception
    (info,) = [i for i in at.info if "read-only" in i.value]
    assert plain(info.value) == f"The event store is read-only: {reason}"
    assert "\\[is read-only\\]" in info.value
    keys = {b.key for b in at.button} | {t.key for t in at.text_input}
    assert "ev_save" not in keys and not any(str(k).startswith(("up_", "FormSubmitter:up_", "restore-")) for k in keys)
    # Reading still works: the store's events are on the map.
    assert len(folium_args(at)) == 1
    # A file read from an upload can be shown, not imported.
    at.file_uploader(key="uploader").upload("more.csv", (ROOT / "data" / "seed_events.csv").read_bytes(), "text/csv")
    at.run()
    assert not at.exception
    assert not any(b.key == "import_to_store" for b in at.button)
    assert any("read-only, so nothing can be imported" in plain(c.value) for c in at.sidebar.caption)


def test_acled_export_says_what_the_terms_allow_and_offers_counts_only(monkeypatch):
    at = make_page(monkeypatch, data=FIXTURES / "acled_current.csv")
    at.session_state["panel"] = "Export"
    at.run()
    assert not at.exception
    at.selectbox(key="x_kind").set_value("csv").run()
    assert any("ACLED Terms of Use" in plain(w.value) and "event rows" in plain(w.value) for w in at.warning)
    at.selectbox(key="x_counts_by").set_value("cell").run()
    at.button(key="x_counts_prepare").click().run()
    assert not at.exception
    made = at.session_state["x_counts_result"][1]
    assert made.filename.endswith(".zip") and "_counts-by-cell_" in made.filename
    with zipfile.ZipFile(io.BytesIO(made.data)) as archive:
        (csv_name,) = [n for n in archive.namelist() if n.endswith(".csv")]
        header = archive.read(csv_name).decode().splitlines()[0].split(",")
    assert header[:4] == ["west", "south", "east", "north"] and "notes" not in header and "event_id" not in header
    assert made.provenance.layout == "aggregates by 0.5° cell"


def test_ucdp_only_export_has_no_notice(monkeypatch):
    at = make_page(monkeypatch, data=FIXTURES / "ucdp_ged.csv")
    at.session_state["panel"] = "Export"
    at.run()
    assert not any("Terms of Use" in w.value for w in at.warning)


def test_an_animation_as_a_playable_page(monkeypatch):
    at = make_page(monkeypatch)
    at.session_state["panel"] = "Export"
    at.run()
    at.radio(key="x_anim_kind").set_value("html").run()
    at.button(key="x_anim_prepare").click().run()
    assert not at.exception
    made = at.session_state["x_anim_result"][1]
    assert made.mime_type == "text/html" and made.filename.endswith("_by-week.html")
    assert made.data.lstrip().lower().startswith(b"<!doctype html")


def test_an_animation_is_a_gif_with_one_frame_per_month(monkeypatch):
    at = make_page(monkeypatch)
    at.session_state["panel"] = "Export"
    at.run()
    at.selectbox(key="x_anim_step").set_value("month").run()
    at.button(key="x_anim_prepare").click().run()
    assert not at.exception
    made = at.session_state["x_anim_result"][1]
    assert made.data[:6] == b"GIF89a" and made.mime_type == "image/gif" and made.filename.endswith("_by-month.gif")
    assert made.provenance.drawing["animate"] == "month"
    assert len(made.provenance.drawing["frames"]) >= 1
    assert any(d.label.startswith("Download ") for d in at.get("download_button"))


def test_an_uploads_export_records_its_sha256_and_its_suspect_rows_are_listed(monkeypatch, tmp_path):
    content = (FIXTURES / "acled_current.csv").read_text(encoding="utf-8").splitlines()
    header = content[0].split(",")
    # One row with its coordinates swapped: kept, and listed as suspect.
    lat, lon = header.index("latitude"), header.index("longitude")
    cells = content[1].split(",")
    cells[lat], cells[lon] = cells[lon], cells[lat]
    data = "\n".join([content[0], ",".join(cells), *content[2:]]).encode()
    at = make_page(monkeypatch)
    at.session_state["panel"] = "Export"
    at.run()
    at.file_uploader(key="uploader").upload("mine *x* [y].csv", data, "text/csv")
    at.run()
    assert not at.exception
    assert any("loaded but look wrong" in plain(w.value) for w in at.sidebar.warning)
    listed = " ".join(t.value for e in at.expander for t in e.text)
    assert "suspect row 2" in listed
    at.multiselect(key="f_sources").set_value(["upload:mine *x* [y].csv"]).run()
    at.selectbox(key="x_kind").set_value("geojson").run()
    at.button(key="x_prepare").click().run()
    assert not at.exception
    made = at.session_state["x_result"][1]
    (source,) = made.provenance.sources
    assert source.sha256 == hashlib.sha256(data).hexdigest() and source.bytes == len(data)
    assert source.file == "mine *x* [y].csv"
    assert json.loads(made.data)["features"]


def test_the_change_map_draws_each_change_in_its_colour_and_escapes_the_data():
    from conflictmap.changemap import CHANGE_COLOURS, change_map

    events, _ = read_events(ROOT / "data" / "seed_events.csv")
    events = events.head(3).copy()
    events["change"] = ["new", "changed", "deleted"]
    events.loc[events.index[0], "event_id"] = "<img src=x onerror=alert(1)>"
    page = change_map(events).get_root().render()
    for colour in CHANGE_COLOURS.values():
        assert colour in page
    assert "<img src=x" not in page and "&lt;img src=x" in page
    assert "New: 1" in page and "Changed: 1" in page and "Deleted: 1" in page
    # Offline: Leaflet comes from the page's own assets.
    assert "cdn.jsdelivr.net" not in page and "unpkg.com" not in page
    with pytest.raises(ValueError, match="change"):
        change_map(events.drop(columns="change"))
