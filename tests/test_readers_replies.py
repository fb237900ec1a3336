"""API replies and update files: ACLED JSON replies, UCDP pages, ACLED's deleted events."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from conflictmap.readers import acled, read_events, ucdp
from conflictmap.readers.replies import ApiReplyError
from conflictmap.schema import validate_events

FIXTURES = Path(__file__).parent / "fixtures" / "readers"


def _json(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


# --- ACLED ------------------------------------------------------------------------


def test_acled_reply_records_become_events_and_a_bad_record_is_named():
    events, report = acled.events_from_reply(_json("acled_api_reply.json"))
    validate_events(events)
    assert report.format == "acled"
    assert (report.rows_read, report.rows_loaded) == (4, 3)
    assert [(r.row, r.column, r.value) for r in report.rejected] == [(4, "latitude", "north")]
    rows = events.set_index("event_id")
    assert list(rows.index) == ["MLI40001", "MLI40002", "MLI40003"]
    assert rows.loc["MLI40001", "civilian_targeting"]
    assert rows.loc["MLI40002", "timestamp"] == pd.Timestamp(1716163200, unit="s", tz="UTC")
    assert set(rows["dataset"]) == {"acled"}


def test_acled_reply_rows_number_on_from_first_row():
    _, report = acled.events_from_reply(_json("acled_api_reply.json"), first_row=5001)
    assert [r.row for r in report.rejected] == [5004]


def test_a_saved_acled_reply_is_read_as_acled_not_geojson():
    events, report = read_events(FIXTURES / "acled_api_reply.json")
    assert report.format == "acled"
    assert len(events) == 3


def test_an_empty_acled_reply_gives_no_events():
    events, report = acled.events_from_reply({"status": 200, "success": True, "count": 0, "data": []})
    assert len(events) == 0 and report.rows_read == 0
    validate_events(events)


@pytest.mark.parametrize(
    ("payload", "says"),
    [
        ({"status": 403, "success": False, "error": {"message": "Access denied"}}, "Access denied"),
        ({"status": 200, "success": True, "count": 1}, "no 'data'"),
        ({"status": 200, "success": True, "data": "none"}, "expected a list of records"),
        ({"status": 200, "success": True, "data": [1, 2]}, "record 1 of data is int"),
        ([{"event_id_cnty": "X"}], "expected an object"),
    ],
)
def test_a_malformed_acled_reply_says_what_is_wrong(payload, says):
    with pytest.raises(ApiReplyError, match=says):
        acled.parse_reply(payload)


def test_parse_reply_gives_the_records_and_count():
    reply = acled.parse_reply(_json("acled_api_reply.json"))
    assert reply.count == 4 and len(reply.records) == 4 and reply.status == 200


# --- UCDP -------------------------------------------------------------------------


def test_ucdp_page_gives_events_and_paging():
    payload = _json("ucdp_api_page.json")
    page = ucdp.parse_reply(payload)
    assert (page.total_count, page.total_pages, len(page.records)) == (3, 2, 2)
    assert page.next_page_url.endswith("page=1&Country=432")
    assert page.previous_page_url is None
    events, report = ucdp.events_from_reply(payload)
    validate_events(events)
    assert report.rejected == []
    rows = events.set_index("event_id")
    assert list(rows.index) == ["GED-900001", "GED-900002"]
    assert rows.loc["GED-900002", "event_type"] == "Violence against civilians"
    assert rows.loc["GED-900001", "event_date"] == pd.Timestamp("2024-05-12")


def test_the_last_ucdp_page_has_no_next_url():
    payload = dict(_json("ucdp_api_page.json"), NextPageUrl="", Result=[])
    page = ucdp.parse_reply(payload)
    assert page.next_page_url is None
    events, _ = ucdp.events_from_reply(payload)
    assert len(events) == 0


def test_a_malformed_ucdp_page_says_what_is_wrong():
    with pytest.raises(ApiReplyError, match="no 'Result'"):
        ucdp.parse_reply({"TotalCount": 1})
    with pytest.raises(ApiReplyError, match="TotalCount is 'many'"):
        ucdp.parse_reply({"TotalCount": "many", "Result": []})


def test_a_saved_ucdp_page_is_read_as_ucdp():
    events, report = read_events(FIXTURES / "ucdp_api_page.json")
    assert report.format == "ucdp" and len(events) == 2


# --- ACLED's deleted events ---------------------------------------------------------


def test_deleted_file_keeps_the_latest_deletion_and_names_bad_rows():
    deleted = acled.read_deleted(FIXTURES / "acled_deleted.csv")
    assert deleted.event_ids == ["MLI40001"]
    assert [(r.row, r.column, r.value) for r in deleted.rejected] == [(3, "deleted_timestamp", "yesterday")]
    assert deleted.reason("MLI40001") == "deleted by ACLED on 2024-05-23 00:00 UTC (deleted_timestamp 1716422400)"


def test_deleted_reply_and_saved_reply():
    payload = _json("acled_deleted_reply.json")
    deleted = acled.deleted_from_reply(payload)
    assert deleted.event_ids == ["MLI40002", "MLI40099"]
    assert [(r.row, r.column) for r in deleted.rejected] == [(3, "event_id_cnty")]
    assert acled.read_deleted(FIXTURES / "acled_deleted_reply.json").event_ids == ["MLI40002", "MLI40099"]


def test_a_file_that_is_not_deleted_events_is_refused():
    from conflictmap.readers import NotEventDataError

    with pytest.raises(NotEventDataError, match="lacks event_id_cnty"):
        acled.read_deleted(FIXTURES / "ucdp_ged.csv")


def test_deleted_events_are_marked_deleted_in_the_store_with_the_reason(tmp_path):
    from conflictmap.store import GeoPackageStore

    events, _ = acled.events_from_reply(_json("acled_api_reply.json"))
    with GeoPackageStore(tmp_path / "s.gpkg") as store:
        store.import_events(events, source="acled reply")
        deleted = acled.deleted_from_reply(_json("acled_deleted_reply.json"))
        outcome = acled.apply_deleted(store, deleted, user="tester")
        assert (outcome.deleted, outcome.not_in_store, outcome.already_deleted) == (["MLI40002"], ["MLI40099"], [])
        again = acled.apply_deleted(store, deleted)
        assert again.already_deleted == ["MLI40002"]
        listed = store.deleted_events()
        row = listed.set_index("event_id").loc["MLI40002"]
        assert row["reason"].startswith("deleted by ACLED on 2024-05-21")
        assert row["deleted_by"] == "tester"
        assert "1 event(s) marked deleted" in outcome.summary()


def test_an_acled_csv_reply_reads_like_an_export(tmp_path):
    # The API's CSV reply is the export's header and rows, without the export tool's preamble.
    lines = (FIXTURES / "acled_2024_preamble.csv").read_text(encoding="utf-8").splitlines()[2:]
    (tmp_path / "reply.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, report = read_events(tmp_path / "reply.csv")
    assert (report.format, report.rows_loaded, report.rejected) == ("acled", 6, [])
    assert not any("skipped" in w for w in report.warnings)


def test_a_saved_list_of_records_and_an_error_reply(tmp_path):
    from conflictmap.readers import NotEventDataError

    records = _json("acled_api_reply.json")["data"][:2]
    (tmp_path / "records.json").write_text(json.dumps(records), encoding="utf-8")
    events, report = read_events(tmp_path / "records.json")
    assert (report.format, len(events)) == ("acled", 2)
    failed = {"status": 401, "success": False, "error": {"status": 401, "message": "Invalid token"}}
    (tmp_path / "failed.json").write_text(json.dumps(failed), encoding="utf-8")
    with pytest.raises(NotEventDataError, match=r"reports a failure \(status 401\): Invalid token"):
        read_events(tmp_path / "failed.json")
