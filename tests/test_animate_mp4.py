"""`conflictmap snapshot --animate week -o OUT.mp4`: one video frame per week with Debian's ffmpeg, a one-line
message without it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conflictmap import synth
from conflictmap.export import animate
from conflictmap.readers import write_events


@pytest.fixture(scope="module")
def events_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("mp4") / "events.parquet"
    write_events(synth.synth_events(2000, seed=4), path)
    return path


WEEKS = ("--animate", "week", "--from", "2022-01-03", "--to", "2022-02-13")


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="Debian's ffmpeg is not installed")
def test_an_mp4_has_one_frame_per_week(run, events_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "weeks.mp4"
    code, stdout, stderr = run("snapshot", events_file, *WEEKS, "-o", out)
    assert code == 0, stderr
    assert "wrote 6 frames" in stdout
    probe = subprocess.run(
        [
            "ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
            "-show_entries", "stream=nb_read_frames,codec_name", "-of", "default=noprint_wrappers=1", str(out),
        ],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    fields = dict(line.split("=", 1) for line in probe.stdout.split())
    assert fields["nb_read_frames"] == "6"
    assert fields["codec_name"] == "h264"


def test_without_ffmpeg_an_mp4_is_refused_in_one_line(
    run, events_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(animate.shutil, "which", lambda name: None)
    code, _, stderr = run("snapshot", events_file, *WEEKS, "-o", tmp_path / "x.mp4")
    assert code != 0
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "ffmpeg" in lines[0], stderr
    assert not (tmp_path / "x.mp4").exists()
