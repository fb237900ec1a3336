"""``conflictmap.fetch`` against local servers answering as ACLED's and UCDP's API documentation says."""

from __future__ import annotations

import json
import logging

import pytest
from builders import narrow_differences
from fakeapis import EMAIL, PASSWORD, UCDP_TOKEN, FakeApis, Fault, acled_row, ucdp_row

from conflictmap.export import write_export
from conflictmap.fetch import AuthError, FetchError, Http, last_runs, update_file, update_store
from conflictmap.fetch.http import retry_after
from conflictmap.filters import FilterSpec
from conflictmap.store import open_store
from conflictmap.store.postgis import PostGISStore

T0 = 1_714_600_000


@pytest.fixture
def api(monkeypatch, tmp_path):
    with FakeApis() as fake:
        monkeypatch.setenv("CONFLICTMAP_ACLED_URL", fake.url)
        monkeypatch.setenv("CONFLICTMAP_UCDP_URL", fake.url)
        monkeypatch.setenv("CONFLICTMAP_ACLED_EMAIL", EMAIL)
        monkeypatch.setenv("CONFLICTMAP_ACLED_PASSWORD", PASSWORD)
        monkeypatch.setenv("CONFLICTMAP_UCDP_TOKEN", UCDP_TOKEN)
        monkeypatch.setenv("CONFLICTMAP_FETCH_DIR", str(tmp_path / "fetch"))
        monkeypatch.setenv("CONFLICTMAP_FETCH_BACKOFF_S", "0")
        monkeypatch.setenv("CONFLICTMAP_FETCH_PAGE_SIZE", "3")
        yield fake


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "store.gpkg", user="tester")
    yield s
    s.close()


@pytest.fixture(params=["geopackage", "postgis"])
def any_store(request, tmp_path):
    """An empty store of each backend."""
    if request.param == "geopackage":
        s = open_store(tmp_path / "store.gpkg", user="tester")
        yield s
        s.close()
        return
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.new_database()
    s = open_store(db=url, user="tester")
    yield s
    s.close()
    cluster.drop_database(url)


class NoSleep(Http):
    """Records the waits instead of sleeping."""

    def __init__(self, service: str = "ACLED") -> None:
        super().__init__(service, sleep=lambda seconds: None)


@pytest.mark.parametrize(("rows", "pages"), [(0, [1]), (2, [1]), (3, [1, 2]), (6, [1, 2, 3]), (7, [1, 2, 3])])
def test_pages_are_asked_until_one_is_short(api, store, rows, pages):
    api.acled_events = [acled_row(n) for n in range(rows)]
    assert update_store(store, "acled", country="Mali").new == rows
    assert api.pages_asked("/api/acled/read") == pages


def test_first_run_downloads_every_page_and_stores_every_event(api, store):
    api.acled_events = [acled_row(n) for n in range(8)] + [acled_row(50, country="Niger")]
    update = update_store(store, "acled", country="Mali")
    assert (update.new, update.changed, update.deleted) == (8, 0, 0)
    assert api.pages_asked("/api/acled/read") == [1, 2, 3]  # 3 + 3 + 2: the short page is the last
    first = api.requests("/api/acled/read")[0].params
    assert (first["limit"], first["_format"], first["country"], first["population"]) == ("3", "json", "Mali", "full")
    assert "timestamp" not in api.requests("/api/acled/read")[0].params
    assert store.count() == 8
    assert sorted(update.events["change"]) == ["new"] * 8
    assert "8 new, 0 changed, 0 deleted" in update.message


def test_password_grant_as_documented(api, store):
    api.acled_events = [acled_row(1)]
    update_store(store, "acled", country="Mali")
    (login,) = api.requests("/oauth/token")
    assert login.method == "POST"
    assert login.form == {"username": EMAIL, "password": PASSWORD, "grant_type": "password", "client_id": "acled"}
    assert api.requests("/api/acled/read")[0].headers["authorization"] == "Bearer access-1"


def test_second_run_asks_only_for_changes_and_replaces_the_changed_event_keeping_history(api, any_store):
    store = any_store
    api.acled_events = [acled_row(n, timestamp=T0) for n in range(4)]
    update_store(store, "acled", country="Mali")
    api.log.clear()
    api.acled_events[2] = acled_row(2, timestamp=T0 + 500, fatalities=9)
    api.acled_events.append(acled_row(7, timestamp=T0 + 600))

    update = update_store(store, "acled", country="Mali")

    asked = api.requests("/api/acled/read")[0].params
    assert asked["timestamp"] == str(T0) and asked["timestamp_where"] == ">="
    assert (update.new, update.changed, update.deleted) == (1, 1, 0)
    assert store.get_event("MLI2")["fatalities"] == 9
    history = store.history("MLI2")
    assert list(history["change"]) == ["import", "import-update"]
    assert history["changes"].iloc[-1]["fatalities"] == [2, 9]
    assert dict(zip(update.events["event_id"], update.events["change"], strict=True)) == {
        "MLI2": "changed",
        "MLI7": "new",
    }
    api.log.clear()
    update_store(store, "acled", country="Mali")
    assert api.requests("/api/acled/read")[0].params["timestamp"] == str(T0 + 600)
    if isinstance(store, PostGISStore):
        assert narrow_differences(store) == []  # the views' narrow table follows the fetch's writes


def test_deleted_events_are_deleted_in_the_store_with_the_reason(api, any_store):
    store = any_store
    api.acled_events = [acled_row(n) for n in range(4)]
    update_store(store, "acled", country="Mali")
    api.acled_deleted = [
        {"event_id_cnty": "MLI1", "deleted_timestamp": str(T0 + 100)},
        {"event_id_cnty": "NIG99", "deleted_timestamp": str(T0 + 100)},  # not in this store
        {"event_id_cnty": "MLI3", "deleted_timestamp": str(T0 - 100)},  # before the last run: not asked
    ]
    update = update_store(store, "acled", country="Mali")
    assert api.requests("/api/deleted/read")[0].params["deleted_timestamp"] == str(T0)
    assert update.deleted == 1
    deleted = store.deleted_events()
    assert list(deleted["event_id"]) == ["MLI1"]
    assert deleted["reason"].iloc[0].startswith("deleted by ACLED on 2024-05-01 ")
    assert store.count() == 3
    assert list(update.events.loc[update.events["change"] == "deleted", "event_id"]) == ["MLI1"]
    if isinstance(store, PostGISStore):
        assert narrow_differences(store) == []


def test_expired_access_token_is_refreshed_and_the_page_asked_again(api, store):
    api.acled_events = [acled_row(n) for n in range(7)]
    real = api._acled

    def expire_after_first_page(path, params, headers):
        if params.get("page") == "2" and not getattr(expire_after_first_page, "done", False):
            expire_after_first_page.done = True
            api.expire_tokens()
        return real(path, params, headers)

    api._acled = expire_after_first_page
    update = update_store(store, "acled", country="Mali")
    assert update.new == 7
    grants = [r.form["grant_type"] for r in api.requests("/oauth/token")]
    assert grants == ["password", "refresh_token"]
    assert api.requests("/oauth/token")[1].form["refresh_token"] == "refresh-1"
    statuses = [(r.params["page"], r.status) for r in api.requests("/api/acled/read")]
    assert statuses == [("1", 200), ("2", 401), ("2", 200), ("3", 200)]


def test_refused_refresh_falls_back_to_logging_in_again(api, store):
    api.acled_events = [acled_row(n) for n in range(2)]
    api.valid_refresh.clear()
    real = api._token

    def no_refresh(form):
        api.valid_refresh.clear()
        return real(form)

    api._token = no_refresh
    real_read = api._acled

    def expire_once(path, params, headers):
        if not getattr(expire_once, "done", False):
            expire_once.done = True
            api.expire_tokens()
        return real_read(path, params, headers)

    api._acled = expire_once
    assert update_store(store, "acled", country="Mali").new == 2
    assert [r.form["grant_type"] for r in api.requests("/oauth/token")] == ["password", "refresh_token", "password"]


def test_wrong_password_is_a_clear_message_without_the_password(api, store, monkeypatch):
    monkeypatch.setenv("CONFLICTMAP_ACLED_PASSWORD", "wrong-secret-123")
    with pytest.raises(AuthError) as caught:
        update_store(store, "acled", country="Mali")
    assert "ACLED refused the log-in for analyst@example.org" in str(caught.value)
    assert "wrong-secret-123" not in str(caught.value)


def test_429_waits_as_retry_after_says_then_goes_on(api, store):
    api.acled_events = [acled_row(n) for n in range(5)]
    api.fail("/api/acled/read", 2, Fault(429, b'{"message": "Too many requests"}', {"Retry-After": "7"}))
    api.fail("/api/acled/read", 2, Fault(503, b"busy"))
    http = NoSleep()
    update = update_store(store, "acled", country="Mali", http=http)
    assert update.new == 5
    assert http.waits == [7.0, 0.0]  # Retry-After honoured; then the back-off base (0 in tests), doubled


def test_back_off_doubles_from_the_setting():
    waits = []
    http = Http("ACLED", backoff_s=1.5, retries=3, sleep=waits.append)
    with FakeApis() as fake:
        for _ in range(3):
            fake.fail("/x", 1, Fault(500, b"oops"))
        assert http.request("GET", f"{fake.url}/x", params={"page": 1}).status == 404
    assert waits == [1.5, 3.0, 6.0]


def test_a_service_still_failing_after_the_retries_is_named_with_its_answer():
    http = Http("UCDP", backoff_s=0, retries=2, sleep=lambda s: None)
    with FakeApis() as fake:
        for _ in range(3):
            fake.fail("/x", 1, Fault(502, b"Bad gateway"))
        with pytest.raises(
            FetchError, match=r"UCDP answered 502 to page 1 after 3 tries: Bad gateway; try again later"
        ):
            http.request("GET", f"{fake.url}/x", params={"page": 1}, what="page 1")


def test_a_dropped_connection_is_tried_again(api, store):
    api.acled_events = [acled_row(n) for n in range(4)]
    api.fail("/api/acled/read", 2, Fault(drop=True))
    http = NoSleep()
    assert update_store(store, "acled", country="Mali", http=http).new == 4
    assert len(http.waits) == 1


def test_an_unreachable_service_is_named_with_the_address_and_no_credentials():
    with FakeApis() as fake:
        url = fake.url
    http = Http("ACLED", backoff_s=0, retries=1, sleep=lambda s: None)
    with pytest.raises(FetchError, match=rf"cannot reach ACLED at {url}/oauth/token for the log-in after 2 tries"):
        http.request("POST", f"{url}/oauth/token", form={"password": PASSWORD}, what="the log-in")


def test_a_wait_longer_than_five_minutes_stops_the_fetch(api, store):
    api.fail("/api/acled/read", 1, Fault(429, b"{}", {"Retry-After": "86400"}))
    with pytest.raises(FetchError, match=r"ACLED asks to wait 86400 s before page 1 .*answered 429.*try again later"):
        update_store(store, "acled", country="Mali", http=NoSleep())


@pytest.mark.parametrize(("header", "seconds"), [("12", 12.0), ("0", 0.0), ("soon", None), (None, None)])
def test_retry_after_seconds(header, seconds):
    assert retry_after(header) == seconds


def test_retry_after_http_date():
    from datetime import UTC, datetime

    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after("Wed, 01 Jan 2025 12:00:30 GMT", now) == 30.0


def test_malformed_page_stops_with_a_clear_message_and_the_next_run_resumes_after_the_good_pages(api, store):
    api.acled_events = [acled_row(n) for n in range(8)]
    api.fail("/api/acled/read", 2, Fault(200, b'{"status": 200, "success": true, "data": [{"event_id_cnty": "MLI'))
    with pytest.raises(FetchError, match=r"page 2 of the ACLED events of Mali is not JSON .* it starts"):
        update_store(store, "acled", country="Mali")
    assert store.count() == 0  # nothing stored from an unfinished download
    api.log.clear()
    update = update_store(store, "acled", country="Mali")
    assert api.pages_asked("/api/acled/read") == [1, 2, 3]  # the last page it has, again (see below), then on
    assert update.new == 8
    assert store.count() == 8


def test_a_resumed_download_catches_rows_that_moved_up_when_acled_deleted_events_meanwhile(api, store):
    api.acled_events = [acled_row(n) for n in range(10)]  # pages of 3, newest first
    api.fail("/api/acled/read", 3, Fault(503, b"down"))
    with pytest.raises(FetchError):
        update_store(store, "acled", country="Mali", http=Http("ACLED", retries=0))
    newest_first = sorted(api.acled_events, key=lambda r: (r["event_date"], r["event_id_cnty"]), reverse=True)
    moved = newest_first[6]["event_id_cnty"]  # first row of page 3 until a row of page 1 goes
    api.acled_events.remove(newest_first[0])
    api.log.clear()
    update = update_store(store, "acled", country="Mali")
    assert api.pages_asked("/api/acled/read") == [2, 3, 4]
    assert update.resumed == 1 and "1 of 4 pages kept from the stopped download" in update.message
    assert moved in set(store.query()["event_id"])
    assert store.count() == 10  # the deleted one too: ACLED's deleted list removes it on the next run


def test_a_page_without_data_list_is_named(api, store):
    api.fail("/api/acled/read", 1, Fault(200, json.dumps({"status": 200, "success": True, "rows": []}).encode()))
    with pytest.raises(FetchError, match=r"page 1 of the ACLED events of Mali is not an ACLED reply"):
        update_store(store, "acled", country="Mali")


def test_a_bad_row_is_rejected_with_row_column_and_reason_and_the_others_load(api, store):
    api.acled_events = [acled_row(1), acled_row(2, latitude="north"), acled_row(3)]
    update = update_store(store, "acled", country="Mali")
    assert update.new == 2
    (bad,) = update.report.rejected
    assert (bad.column, bad.value) == ("latitude", "north")
    assert "1 of 3 downloaded rows could not be read" in update.message


def test_ucdp_pages_with_the_token_header_and_a_later_release_replaces_changed_events(api, store):
    api.ucdp_events["25.1"] = [ucdp_row(n) for n in range(5)] + [ucdp_row(99, country_id=437)]
    update = update_store(store, "ucdp", country="432", version="25.1")
    assert update.new == 5
    asked = api.requests("/api/gedevents/25.1")
    assert [r.params["page"] for r in asked] == ["0", "1"]
    assert all(r.headers["x-ucdp-access-token"] == UCDP_TOKEN and r.params["Country"] == "432" for r in asked)
    assert asked[0].params["pagesize"] == "3"

    api.log.clear()
    again = update_store(store, "ucdp", country="432", version="25.1")
    assert api.log == [] and "nothing was asked" in again.message

    api.ucdp_events["25.2"] = [ucdp_row(n, best=7 if n == 1 else 3) for n in (0, 1, 3, 4)]  # 900002 dropped
    later = update_store(store, "ucdp", country="432", version="25.2")
    assert (later.new, later.changed) == (0, 1)
    assert later.stored.flagged_missing == 1 and store.get_event("GED-900002")["status"] == "missing"
    assert store.get_event("GED-900001")["fatalities"] == 7
    assert list(store.history("GED-900001")["change"]) == ["import", "import-update"]


def test_ucdp_refused_token_and_unknown_version(api, store, monkeypatch):
    with pytest.raises(FetchError, match=r"UCDP has no GED version '9.9'"):
        update_store(store, "ucdp", country="432", version="9.9")
    monkeypatch.setenv("CONFLICTMAP_UCDP_TOKEN", "not-the-token")
    with pytest.raises(AuthError, match=r"UCDP refused the access token \(401"):
        update_store(store, "ucdp", country="432", version="25.1")


def test_missing_credentials_are_asked_for_and_never_written(api, store, monkeypatch, tmp_path, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("CONFLICTMAP_ACLED_PASSWORD", "")
    asked = []

    def ask(prompt, secret):
        asked.append((prompt, secret))
        return PASSWORD

    api.acled_events = [acled_row(n) for n in range(4)]
    api.fail("/api/acled/read", 1, Fault(429, b"{}", {"Retry-After": "0"}))
    update = update_store(store, "acled", country="Mali", ask=ask)
    api.acled_deleted = [{"event_id_cnty": "MLI1", "deleted_timestamp": str(T0 + 1)}]
    update_store(store, "acled", country="Mali", ask=ask)
    assert asked == [("myACLED password: ", True)] * 2
    prov, _ = write_export(store.query(), FilterSpec(), tmp_path / "view.geojson", sources=[update.report])
    assert prov.sources[0].file.startswith("ACLED API, country Mali")
    store.close()
    secrets = [PASSWORD.encode(), b"access-1", b"refresh-1", b"access-2"]
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(s in data for s in secrets), path
    out = capsys.readouterr()
    text = out.out + out.err + caplog.text + update.message + repr(update)
    assert not any(s.decode() in text for s in secrets)


def test_update_file_writes_then_brings_the_file_up_to_date(api, tmp_path):
    out = tmp_path / "mali.csv"
    api.acled_events = [acled_row(n, timestamp=T0) for n in range(4)]
    first = update_file(out, "acled", country="Mali")
    assert first.new == 4 and out.exists()
    api.acled_events[0] = acled_row(0, timestamp=T0 + 9, notes="Changed.")
    api.acled_deleted = [{"event_id_cnty": "MLI3", "deleted_timestamp": str(T0 + 9)}]
    second = update_file(out, "acled", country="Mali")
    assert (second.new, second.changed, second.deleted) == (0, 1, 1)
    from conflictmap.readers import read_events

    events, _ = read_events(out)
    assert sorted(events["event_id"]) == ["MLI0", "MLI1", "MLI2"]
    assert events.set_index("event_id").loc["MLI0", "notes"] == "Changed."


def test_update_file_does_not_overwrite_a_file_it_did_not_write(api, tmp_path):
    out = tmp_path / "mine.csv"
    out.write_text("my own notes\n")
    with pytest.raises(FetchError, match=r"mine.csv exists and was not written by an earlier `fetch`"):
        update_file(out, "acled", country="Mali")
    assert out.read_text() == "my own notes\n"


def test_the_page_hook_tells_progress_and_returns_a_map_layer_of_the_changes(api, store):
    api.acled_events = [acled_row(n) for n in range(8)]
    steps = []
    update = update_store(store, "acled", country="Mali", progress=steps.append)
    assert [(s.stage, s.pages, s.rows, s.total_pages) for s in steps] == [
        ("events", 1, 3, None),
        ("events", 2, 6, None),
        ("events", 3, 8, None),
    ]
    layer = update.events
    assert layer.crs.to_epsg() == 4326 and set(layer.geometry.geom_type) == {"Point"}
    assert {"event_id", "event_date", "event_type", "change"} <= set(layer.columns)


def test_an_empty_country_is_no_error(api, store):
    update = update_store(store, "acled", country="Mali")
    assert (update.new, update.changed, update.deleted) == (0, 0, 0)
    assert update.message.startswith("ACLED API, country Mali: 0 new, 0 changed, 0 deleted.")
    assert len(update.events) == 0


def test_a_new_store_at_the_same_place_gets_every_event_again(api, tmp_path):
    api.acled_events = [acled_row(n) for n in range(4)]
    with open_store(tmp_path / "s.gpkg") as first:
        update_store(first, "acled", country="Mali")
    (tmp_path / "s.gpkg").unlink()
    api.log.clear()
    with open_store(tmp_path / "s.gpkg") as again:
        assert update_store(again, "acled", country="Mali").new == 4
    assert "timestamp" not in api.requests("/api/acled/read")[0].params


def test_api_rows_carry_actor_types_population_and_ucdp_quality_fields(api, store):
    api.acled_events = [acled_row(1, population_best="12000", population_5km="8000")]
    update_store(store, "acled", country="Mali")
    event = store.get_event("MLI1")
    assert (event["actor1_type"], event["actor2_type"]) == ("State forces", "Rebel group")
    assert event["population_best"] == 12000 and event["population_5km"] == 8000
    api.ucdp_events["25.1"] = [ucdp_row(1)]
    update_store(store, "ucdp", country="432", version="25.1")
    ged = store.get_event("GED-900001")
    assert (ged["code_status"], ged["event_clarity"], ged["dyad_name"]) == (
        "Clear",
        1,
        "Government of Mali - Invented group",
    )


def test_last_runs_list_what_an_update_button_can_ask_again(api, store, tmp_path):
    api.acled_events = [acled_row(1, timestamp=T0 + 5)]
    api.ucdp_events["25.1"] = [ucdp_row(1)]
    update_store(store, "acled", country="Mali")
    update_store(store, "ucdp", country="432", version="25.1")
    with open_store(tmp_path / "other.gpkg") as other:
        update_store(other, "acled", country="Mali", full=True)
        assert [(r["source"], r["country"]) for r in last_runs(other)] == [("acled", "Mali")]
    runs = last_runs(store)
    assert sorted((r["source"], r["country"], r["version"]) for r in runs) == [
        ("acled", "Mali", None),
        ("ucdp", "432", "25.1"),
    ]
    assert {r["source"]: r["newest"] for r in runs}["acled"] == T0 + 5
    assert len(last_runs()) == 3


def test_pages_of_a_stopped_run_asked_differently_are_cleared_by_the_next_finished_run(api, store, tmp_path):
    api.acled_events = [acled_row(n) for n in range(5)]
    api.fail("/api/acled/read", 2, Fault(500, b"down"))
    with pytest.raises(FetchError):
        update_store(store, "acled", country="Mali", since="2024-01-01", http=Http("ACLED", retries=0))
    assert len(list((tmp_path / "fetch").glob("*.pages.jsonl"))) == 1
    update_store(store, "acled", country="Mali")
    assert list((tmp_path / "fetch").glob("*.pages.jsonl")) == []


def test_the_page_learns_which_credentials_to_ask_for(api, monkeypatch):
    from conflictmap.fetch import credentials_for, missing_credentials

    assert missing_credentials("acled") == []
    monkeypatch.setenv("CONFLICTMAP_ACLED_EMAIL", "")
    monkeypatch.setenv("CONFLICTMAP_ACLED_PASSWORD", "")
    assert missing_credentials("acled") == [("email", "myACLED e-mail", False), ("password", "myACLED password", True)]
    creds = credentials_for("acled", given={"email": EMAIL, "password": PASSWORD})
    assert (creds.email, creds.password) == (EMAIL, PASSWORD)
    assert PASSWORD not in repr(creds)
    with pytest.raises(AuthError, match="no email for ACLED: set CONFLICTMAP_ACLED_EMAIL"):
        credentials_for("acled")


def test_a_later_ucdp_release_brings_a_file_up_to_date(api, tmp_path):
    out = tmp_path / "mali.gpkg"
    api.ucdp_events["25.1"] = [ucdp_row(n) for n in range(4)]
    assert update_file(out, "ucdp", country="432", version="25.1").new == 4
    api.ucdp_events["25.2"] = [ucdp_row(n, best=9 if n == 0 else 3) for n in range(3)] + [ucdp_row(8)]
    later = update_file(out, "ucdp", country="432", version="25.2")
    assert (later.new, later.changed, later.deleted) == (1, 1, 1)
    from conflictmap.readers import read_events

    events, _ = read_events(out)
    assert sorted(events["event_id"]) == ["GED-900000", "GED-900001", "GED-900002", "GED-900008"]
    assert last_runs()[0]["version"] == "25.2"


def test_a_token_about_to_expire_is_refreshed_before_it_is_refused(api, store):
    api.acled_events = [acled_row(n) for n in range(7)]
    api.expires_in = 30  # within the minute ACLED's client keeps in hand
    assert update_store(store, "acled", country="Mali").new == 7
    assert [r.form["grant_type"] for r in api.requests("/oauth/token")] == [
        "password",
        "refresh_token",
        "refresh_token",
    ]
    assert all(r.status == 200 for r in api.requests("/api/acled/read"))
