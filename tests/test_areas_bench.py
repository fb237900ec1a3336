"""The areas benchmark runs end to end on a small table (a smoke run: no timing assertions)."""

from __future__ import annotations

from benchmarks import areas as bench


def test_areas_benchmark_measures_every_step_on_a_small_table(capsys) -> None:
    rows = bench.measure(3000)
    steps = [r["step"] for r in rows]
    assert any(s.startswith("choropleth against the period before") for s in steps)
    assert any(s.startswith("playback frame (window") for s in steps)
    assert any(s.startswith("GIF of 2023 by week") for s in steps)
    assert all(r["ms"] >= 0 for r in rows)
    assert all(r["bytes"] is None or r["bytes"] > 0 for r in rows)
