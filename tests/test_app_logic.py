"""The page's logic that is not widgets: uploads, store writes, duplicates near a candidate, the headline, escaping."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest
from conftest import SEED_EVENTS

from conflictmap import eventform, headlines, nearby, reviewing, storeactions, uploads
from conflictmap.app.text import md_escape
from conflictmap.filters import FilterSpec
from conflictmap.readers import read_events
from conflictmap.store import open_store

SEED_BYTES = SEED_EVENTS.read_bytes()


@pytest.fixture
def store_path(monkeypatch, tmp_path):
    path = tmp_path / "store" / "events.gpkg"
    path.parent.mkdir()
    monkeypatch.delenv("CONFLICTMAP_DB", raising=False)
    monkeypatch.setenv("CONFLICTMAP_STORE", str(path))
    return path


# -- uploads -------------------------------------------------------------------------------------------------


def test_an_upload_is_copied_once_read_from_the_copy_and_removed_with_it():
    staged = uploads.stage("../../etc/seed.csv", SEED_BYTES, "f1")
    assert staged.name == "seed.csv" and staged.path.name == "seed.csv"
    assert staged.path.read_bytes() == SEED_BYTES
    result = uploads.read_staged(staged)
    assert result.error is None and result.uploaded.key == "upload:seed.csv"
    assert result.uploaded.events == 5 and result.uploaded.version == ("upload", "f1")
    assert result.uploaded.report.source == "seed.csv"
    folder = staged.path.parent
    staged.discard()
    assert not folder.exists()


def test_an_upload_that_is_not_event_data_gives_a_message_not_an_exception():
    result = uploads.read_staged(uploads.stage("notes.csv", b"colour,size\nred,3\n"))
    assert result.uploaded is None and result.error
    assert uploads.upload_name("", "upload.csv") == "upload.csv"


def test_an_upload_imports_from_its_one_copy(store_path):
    staged = uploads.stage("seed.csv", SEED_BYTES)
    first = uploads.import_staged(staged)
    assert first.error is None and first.changed and "5 inserted" in first.summary
    again = uploads.import_staged(staged)
    assert not again.changed and "5 unchanged" in again.summary


# -- store writes --------------------------------------------------------------------------------------------


def _form(**values):
    base = {name: None for name in eventform.EDITABLE}
    base.update(
        event_date=date(2024, 3, 1),
        time_precision=1,
        event_type="Battles",
        sub_event_type="Armed clash",
        actor1="JNIM",
        fatalities=2,
        source="Test wire",
    )
    base.update(values)
    return base


def test_saving_adds_then_edits_and_says_so(store_path):
    place = eventform.place_choices("Gao")[0]
    added = storeactions.save_event(_form(), place=place, reason="seen")
    assert added.kind == "success" and added.saved and added.editing is None
    assert added.message == f"Event {added.event_id} added (version 1)."
    read = storeactions.read_for_edit(added.event_id)
    assert read.error is None and read.editing.version == 1
    edited = storeactions.save_event(_form(fatalities=3), editing=read.editing)
    assert edited.kind == "success" and edited.version == 2 and edited.editing.version == 2
    same = storeactions.save_event(_form(fatalities=3), editing=edited.editing)
    assert same.kind == "info" and "already had these values" in same.message
    history = storeactions.event_history(added.event_id)
    assert history.version == 2 and len(history.table) == 2


def test_a_bad_form_gives_field_problems_and_saves_nothing(store_path):
    result = storeactions.save_event(_form(source=None))
    assert result.kind == "error" and not result.saved
    assert "source" in result.problems and "Source" in result.problems["source"]


def test_problems_go_once_their_field_changes():
    problems = {"source": "Source: got nothing", "latitude": "Latitude: got nothing"}
    then = {"source": None, "place_text": "", "point": None}
    assert storeactions.open_problems(problems, then, then) == problems
    fixed = storeactions.open_problems(problems, then, {**then, "source": "Wire"})
    assert fixed == {"latitude": "Latitude: got nothing"}
    assert storeactions.open_problems(problems, then, {**then, "point": (14.0, -4.0)}) == {
        "source": "Source: got nothing"
    }


def test_delete_and_restore_say_what_they_did(store_path):
    with open_store() as store:
        store.import_file(SEED_EVENTS)
    deleted = storeactions.delete_event("SEED-0001", 1, "duplicate")
    assert deleted.done and "SEED-0001" in deleted.message
    stale = storeactions.delete_event("SEED-0001", 1, "again")
    assert not stale.done and stale.kind == "error" and not stale.still_shown
    restored = storeactions.restore_event("SEED-0001", 2)
    assert restored.done and restored.version == 3
    conflict = storeactions.delete_event("SEED-0001", 1, "stale version")
    assert not conflict.done and conflict.still_shown


def test_candidates_are_saved_one_by_one(store_path):
    place = eventform.place_choices("Gao")[0]
    fields = eventform.form_fields(_form(), place=place)
    result = storeactions.save_candidates([{**fields, "event_id": "ART-1", "dataset": "article"}])
    assert result.saved == ("ART-1",) and result.message == "1 event saved into the store (dataset “article”)."
    again = storeactions.save_candidates([{**fields, "event_id": "ART-1", "dataset": "article"}])
    assert again.saved == () and again.outcomes == {"ART-1": "already in the store"}


# -- duplicates near a candidate -----------------------------------------------------------------------------


def test_the_window_around_candidates_and_the_events_in_it():
    seed, _ = read_events(SEED_EVENTS)
    one = seed.iloc[[0]]
    window = nearby.candidate_window(one)
    day = one["event_date"].iloc[0].date()
    assert window == FilterSpec(date_from=day - pd.Timedelta(days=3), date_to=day + pd.Timedelta(days=3))
    assert nearby.candidate_window(seed.iloc[[]]) is None
    asked = []

    def shown(spec):
        asked.append(spec)
        return seed[spec.mask(seed)]

    def broken(spec):
        raise OSError("store gone")

    near = nearby.events_near(one, shown, broken)
    assert asked == [window] and one["event_id"].iloc[0] in set(near["event_id"])
    assert len(nearby.events_near(seed.iloc[[]], shown)) == 0


def test_an_article_gives_candidates_with_duplicates_noted():
    text = "Gunmen killed 3 civilians in Gao on Monday, local sources said."
    result = reviewing.review_article(text, published=date(2023, 9, 7), source="Wire")
    assert result.error is None and len(result.candidates) >= 1
    assert result.source.startswith("Wire")
    unreadable = reviewing.review_article("", file_name="a.txt", file_data=b"\xff\xfe\x00")
    assert unreadable.error or not len(unreadable.candidates)


# -- the headline --------------------------------------------------------------------------------------------


def test_headline_metrics_carry_changes_and_trends():
    figures = {
        "events": {"value": 1200, "change": 200, "change_pct": 20.0},
        "fatalities": {"value": 5, "change": 0, "change_pct": 0.0},
        "actors": {"value": 3, "change": -1, "change_pct": None},
        "locations": {"value": 2, "change": 0, "change_pct": None},
    }
    trends = pd.DataFrame({"events": [1, 2], "fatalities": [0, 5]})
    events, fatalities, actors, _ = headlines.headline_metrics(figures, True, trends)
    assert (events.value, events.delta, events.colour, events.trend) == ("1,200", "+200 (+20%)", "inverse", (1.0, 2.0))
    assert (fatalities.delta, fatalities.arrow) == ("no change", "off")
    assert actors.delta == "-1" and actors.trend is None
    plain = headlines.headline_metrics(figures, False, trends.iloc[:1])
    assert all(m.delta is None and m.trend is None for m in plain)


def test_counts_agree_with_their_word():
    assert headlines.plural(1, "event") == "1 event"
    assert headlines.plural(2500, "event") == "2,500 events"
    spec = FilterSpec(date_from=date(2024, 1, 1), date_to=date(2024, 1, 1))
    note = headlines.comparison_note(spec, (date(2023, 12, 31), date(2023, 12, 31)))
    assert note.startswith("Changes against the previous 1 day:")
    assert headlines.comparison_note(FilterSpec(), None).startswith("Pick a date range")


# -- escaping ------------------------------------------------------------------------------------------------

LIVE = re.compile(r"(?<!\\)(\]\(|!\[|<|https?:|www\.)")


@pytest.mark.parametrize(
    "text",
    [
        "![p](http://127.0.0.1:9/p.png)",
        "[Click](http://host/)",
        "<img src=x onerror=alert(1)>",
        "http://host/path and www.host.example",
        ":red[alarm] $x^2$ **bold** _it_ ~~gone~~ `code`",
        "# heading\n- item\n1. first",
    ],
)
def test_escaped_text_holds_no_markdown(text):
    escaped = md_escape(text)
    assert not LIVE.search(escaped)
    assert "\n" not in escaped
    # Every character is still there, in order.
    assert re.sub(r"\\(.)", r"\1", escaped).replace("\u2060", "") == text.replace("\n", " ")
