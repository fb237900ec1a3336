"""Playback frames (day, week, month; window and cumulative; imprecise dates) and the animated GIF."""

from __future__ import annotations

import itertools
import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageChops

from conflictmap import synth
from conflictmap.export import animate
from conflictmap.filters import FilterSpec
from conflictmap.playback import MAX_FRAMES, Playback, PlaybackError, display_windows, frame_periods


@pytest.mark.parametrize(
    ("step", "start", "end", "count", "first_label", "last_end"),
    [
        ("day", date(2023, 3, 1), date(2023, 3, 3), 3, "1 Mar 2023", date(2023, 3, 3)),
        # 1 Jan 2023 was a Sunday: its week started on Monday 26 Dec 2022.
        ("week", date(2023, 1, 1), date(2023, 1, 16), 4, "Week of 26 Dec 2022", date(2023, 1, 22)),
        ("month", date(2022, 11, 15), date(2023, 2, 2), 4, "Nov 2022", date(2023, 2, 28)),
    ],
)
def test_frames_cover_the_period_in_whole_steps(step, start, end, count, first_label, last_end) -> None:
    frames = frame_periods(start, end, step)
    assert len(frames) == count
    assert frames[0].label == first_label
    assert frames[-1].end == last_end
    assert frames[0].start <= start
    for before, after in itertools.pairwise(frames):
        assert (after.start - before.end).days == 1  # no gap, no overlap


def test_bad_playbacks_are_refused_with_the_option_named() -> None:
    with pytest.raises(PlaybackError, match="step 'hour'"):
        frame_periods(date(2023, 1, 1), date(2023, 1, 2), "hour")
    with pytest.raises(PlaybackError, match="after it ends"):
        frame_periods(date(2023, 1, 2), date(2023, 1, 1), "day")
    with pytest.raises(PlaybackError, match=str(MAX_FRAMES)):
        frame_periods(date(2000, 1, 1), date(2023, 1, 1), "day")
    with pytest.raises(PlaybackError, match="mode 'loop'"):
        Playback(synth.synth_events(10), mode="loop")


def test_imprecise_dates_are_shown_for_their_whole_window(make_events) -> None:
    table = make_events(
        {"event_date": "2023-03-15", "time_precision": 1},  # a Wednesday, known to the day
        {"event_date": "2023-03-15", "time_precision": 2},  # within that week
        {"event_date": "2023-03-15", "time_precision": 3},  # within March
        {"event_date": "2023-03-15", "time_precision": 4},  # within 2023
        {"event_date": "2023-03-15", "date_end": "2023-03-17", "time_precision": 1},
    )
    first, last, imprecise = display_windows(table)
    days = [
        (np.datetime64(int(a), "D").astype(object), np.datetime64(int(b), "D").astype(object))
        for a, b in zip(first, last, strict=True)
    ]
    assert days == [
        (date(2023, 3, 15), date(2023, 3, 15)),
        (date(2023, 3, 13), date(2023, 3, 19)),
        (date(2023, 3, 1), date(2023, 3, 31)),
        (date(2023, 1, 1), date(2023, 12, 31)),
        (date(2023, 3, 15), date(2023, 3, 17)),
    ]
    assert imprecise.tolist() == [False, True, True, True, False]


def test_day_frames_show_an_imprecise_event_on_every_day_of_its_week(make_events) -> None:
    table = make_events(
        {"event_date": "2023-03-15", "time_precision": 1}, {"event_date": "2023-03-15", "time_precision": 2}
    )
    play = Playback(table, "day", "window", date(2023, 3, 12), date(2023, 3, 20))
    counts = play.counts()
    # Sunday 12: nothing; Monday 13 to Sunday 19: the imprecise one, and on the 15th the exact one too.
    assert counts["events"].tolist() == [0, 1, 1, 2, 1, 1, 1, 1, 0]
    assert counts["imprecise"].tolist() == [0, 1, 1, 1, 1, 1, 1, 1, 0]
    shown = play.frame_events(3)
    assert shown["imprecise"].tolist() == [False, True]


def test_cumulative_frames_keep_what_came_before(make_events) -> None:
    table = make_events({"event_date": "2023-01-10"}, {"event_date": "2023-02-10"}, {"event_date": "2023-03-10"})
    window = Playback(table, "month", "window", date(2023, 1, 1), date(2023, 3, 31)).counts()
    cumulative = Playback(table, "month", "cumulative", date(2023, 1, 1), date(2023, 3, 31)).counts()
    assert window["events"].tolist() == [1, 1, 1]
    assert cumulative["events"].tolist() == [1, 2, 3]
    assert window["label"].tolist() == ["Jan 2023", "Feb 2023", "Mar 2023"]


def test_frame_grid_counts_every_shown_event_and_the_payload_is_bounded() -> None:
    events = synth.synth_events(20_000, seed=3)
    play = Playback(events, "month", "cumulative", date(2020, 1, 1), date(2020, 12, 31))
    last = len(play) - 1
    cells = play.grid(last, 0.25)
    assert cells["events"].sum() == play.mask(last).sum()
    assert cells["imprecise"].sum() == (play.mask(last) & play.imprecise).sum()
    payload = play.payload(last, 0.01, max_cells=100)
    assert len(payload["cells"]) == 100
    assert payload["cells_left_out"] == len(play.grid(last, 0.01)) - 100
    assert len(json.dumps(payload)) < 1_000_000
    # The busiest cell first.
    assert payload["cells"][0][2] == play.grid(last, 0.01)["events"].max()


def test_frame_points_feed_the_maps_layer_plan_with_its_budget() -> None:
    from conflictmap.viewport import plan_layer

    events = synth.synth_events(20_000, seed=5)
    play = Playback(events, "month", "cumulative", date(2020, 1, 1), date(2020, 12, 31))
    points, imprecise = play.frame_points(len(play) - 1)
    assert len(points) == play.mask(len(play) - 1).sum() == len(imprecise)
    plan = plan_layer(points, "auto", budget=500)
    assert plan.total == len(points)
    assert plan.aggregated  # more than the budget: counted per cell, as any map update
    first, _ = play.frame_points(0)
    assert len(first) < len(points)


# -- the animation --------------------------------------------------------------------------------------


def frames_of(path: Path) -> list[Image.Image]:
    with Image.open(path) as image:
        out = []
        for i in range(image.n_frames):
            image.seek(i)
            out.append(image.convert("RGB"))
        return out


def test_gif_has_one_frame_per_period_each_with_its_date_stamp(tmp_path: Path) -> None:
    events = synth.synth_events(5000, seed=4)
    spec = FilterSpec(date_from="2021-01-01", date_to="2021-06-30")
    out = tmp_path / "play.gif"
    prov = animate.write_animation(events, spec, out, step="month", title="Mali, first half of 2021")
    labels = ["Jan 2021", "Feb 2021", "Mar 2021", "Apr 2021", "May 2021", "Jun 2021"]
    frames = frames_of(out)
    assert len(frames) == len(labels)
    assert prov.drawing["frames"] == labels
    stored = animate.read_animation_provenance(out)
    assert stored["drawing"]["frames"] == labels
    assert stored["title"] == "Mali, first half of 2021"
    # Each frame's stamp holds exactly its own label, drawn as draw_stamp draws it.
    box = animate.stamp_box(frames[0].size)
    for frame, label in zip(frames, labels, strict=True):
        expected = Image.new("RGB", frames[0].size, "white")
        rect = animate.draw_stamp(expected, label)
        diff = ImageChops.difference(frame.crop(rect), expected.crop(rect))
        # Quantised to a palette: the same drawing, within a few levels.
        assert max(band[1] for band in diff.getextrema()) < 40, label
        other = Image.new("RGB", frames[0].size, "white")
        animate.draw_stamp(other, "Week of 28 Feb 2021")
        wrong = ImageChops.difference(frame.crop(rect), other.crop(rect))
        assert max(band[1] for band in wrong.getextrema()) > 100
    # The title and the provenance line are on every frame, the same on each; the stamps differ.
    assert ImageChops.difference(frames[0].crop((0, 0, 400, 30)), frames[-1].crop((0, 0, 400, 30))).getbbox() is None
    assert ImageChops.difference(frames[0].crop(box), frames[1].crop(box)).getbbox() is not None


def test_html_animation_plays_offline_with_its_frames_and_provenance(tmp_path: Path) -> None:
    import re

    from conflictmap.export import read_provenance

    events = synth.synth_events(3000, seed=6)
    out = tmp_path / "play.html"
    prov = animate.write_animation(
        events, FilterSpec(date_from="2022-01-01", date_to="2022-03-31"), out, step="month", title="Q1 <2022>"
    )
    page = out.read_text(encoding="utf-8")
    data = json.loads(re.search(r"var data = (\{\"labels\".*?\});\n", page).group(1))
    assert data["labels"] == ["Jan 2022", "Feb 2022", "Mar 2022"] == prov.drawing["frames"]
    assert sum(f["n"] for f in data["frames"]) >= prov.events
    assert "Q1 &lt;2022&gt;" in page and "Q1 <2022>" not in page
    assert "<script src=" not in page  # everything inlined
    assert read_provenance(out).drawing["animate"] == "month"


def test_animation_of_no_events_still_has_its_frames(tmp_path: Path) -> None:
    events = synth.synth_events(100, seed=1)
    spec = FilterSpec(date_from="2030-01-01", date_to="2030-01-21")
    prov = animate.write_animation(events, spec, tmp_path / "none.gif", step="week")
    assert prov.events == 0
    assert len(frames_of(tmp_path / "none.gif")) == 4


def test_animation_kinds_and_missing_ffmpeg_are_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events = synth.synth_events(100)
    with pytest.raises(animate.AnimationError, match=r"\.gif, \.mp4 or \.html"):
        animate.write_animation(events, FilterSpec(), tmp_path / "x.avi")
    monkeypatch.setattr(animate.shutil, "which", lambda name: None)
    with pytest.raises(animate.AnimationError, match="ffmpeg"):
        animate.write_animation(events, FilterSpec(), tmp_path / "x.mp4")


def test_a_frame_on_the_map_draws_imprecise_events_as_dashed_rings_with_the_stamp(make_events) -> None:
    import re

    import folium

    from conflictmap import arealayers

    table = make_events(
        {"event_date": "2023-03-15", "time_precision": 1},
        {"event_date": "2023-03-15", "time_precision": 3, "latitude": 16.27, "longitude": -0.04},
    )
    play = Playback(table, "week", "window", date(2023, 3, 1), date(2023, 3, 31))
    # The week of 27 March: only the month-imprecise event is there.
    last = len(play) - 1
    page = arealayers.add_playback_frame(folium.Map(), play, last).get_root().render()
    frame = json.loads(re.search(r"var frame = (\{.*?\});\n", page).group(1))
    assert frame["label"] == "Week of 27 Mar 2023"
    assert frame["points"] == [[16.27, -0.04, frame["points"][0][2], True]]
    assert 'dashArray: "3 3"' in page
    assert "div.textContent = frame.label" in page
    middle = arealayers.frame_drawing(play, 2)
    assert [p[3] for p in middle["points"]] == [False, True]


def test_a_busy_frame_is_drawn_as_cells_within_the_budget() -> None:
    from conflictmap import arealayers

    events = synth.synth_events(20_000, seed=8)
    play = Playback(events, "month", "cumulative", date(2020, 1, 1), date(2020, 12, 31))
    drawing = arealayers.frame_drawing(play, len(play) - 1, cell_deg=0.25, max_points=1000)
    assert drawing["points"] == []
    assert sum(c[5] for c in drawing["cells"]) == drawing["events"] == play.mask(len(play) - 1).sum()
    assert len(json.dumps(drawing)) < 1_000_000


def test_playback_data_switches_to_cells_past_its_bound() -> None:
    from conflictmap import arealayers

    events = synth.synth_events(20_000, seed=9)
    play = Playback(events, "month", "window", date(2020, 1, 1), date(2020, 12, 31))
    shown = sum(int(play.mask(i).sum()) for i in range(len(play)))
    small = arealayers.playback_data(play, points_total=shown)
    assert all(f["c"] == [] for f in small["frames"]) and sum(len(f["p"]) for f in small["frames"]) == shown
    bounded = arealayers.playback_data(play, points_total=shown - 1, cell_deg=0.25)
    assert all(f["p"] == [] for f in bounded["frames"])
    assert [sum(c[4] for c in f["c"]) for f in bounded["frames"]] == [f["n"] for f in bounded["frames"]]
    assert len(json.dumps(bounded)) < len(json.dumps(small))
