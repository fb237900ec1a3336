"""The page's small promises under AppTest: a link to an upload, field errors that go once fixed, counted words."""

from __future__ import annotations

from pagetools import make_page, plain


def test_a_link_to_an_upload_says_to_upload_the_file_again(monkeypatch):
    at = make_page(monkeypatch, query={"src": "upload:events.csv"}).run()
    assert not at.exception
    warnings = [plain(w.value) for w in at.warning]
    assert any("'events.csv' was uploaded in another visit" in w and "add the file again" in w for w in warnings)
    assert at.info and "pick one in the sidebar" in at.info[0].value


def test_field_errors_go_once_the_field_is_changed(monkeypatch, tmp_path):
    store = tmp_path / "events.gpkg"
    monkeypatch.setenv("CONFLICTMAP_STORE", str(store))
    monkeypatch.delenv("CONFLICTMAP_DB", raising=False)
    at = make_page(monkeypatch)
    at.session_state["panel"] = "Event store"
    at.run()
    at.button(key="ev_save").click().run()
    assert not at.exception
    errors = [plain(e.value) for e in at.error]
    assert any(e.startswith("Source: got nothing") for e in errors)
    assert any(e.startswith("Type: got nothing") for e in errors)
    # A refused first event does not create the store.
    assert not store.exists()
    at.text_input(key="ev_source").input("Journal du Mali").run()
    errors = [plain(e.value) for e in at.error]
    assert not any(e.startswith("Source:") for e in errors)
    assert any(e.startswith("Type: got nothing") for e in errors)


def test_one_event_is_one_event(monkeypatch, make_events, tmp_path):
    path = tmp_path / "one.csv"
    make_events({}).drop(columns="geometry").to_csv(path, index=False)
    at = make_page(monkeypatch, data=path).run()
    assert not at.exception
    captions = [plain(c.value) for c in at.caption]
    assert any(" · 1 of 1 event · " in c for c in captions), captions
    assert "Showing 1 of 1 event" in captions
    assert not any("1 events" in c for c in captions), captions
