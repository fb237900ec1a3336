"""`conflictmap extract ARTICLE -o OUT.csv`, run as a user runs it."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import conflictmap.cli as cli
from conflictmap.extract import EXTRA_COLUMNS
from conflictmap.readers import read_events
from conflictmap.schema import COLUMNS

ARTICLES = Path(__file__).parent / "articles"


def run(*argv: str) -> int:
    return cli.main(list(argv))


def test_extract_writes_candidates_most_confident_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "seed.csv"
    code = run(
        "extract",
        str(ARTICLES / "en_wire_bamako_suicide_alert.txt"),
        "--published",
        "2023-09-14",
        "--source",
        "Sahel Wire",
        "-o",
        str(out),
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "6 candidate events (5 with confidence >= 0.5)" in printed
    assert "Kati - Koko-Plateau" in printed
    table = pd.read_csv(out)
    assert list(table.columns) == [*COLUMNS, *EXTRA_COLUMNS]
    assert table["confidence"].is_monotonic_decreasing
    assert (table["source"] == "Sahel Wire").all()
    spans = json.loads(table.loc[0, "evidence_spans"])
    assert all(table.loc[0, "evidence_text"][s["start"] : s["end"]] == s["text"] for s in spans)
    assert "[[" in table.loc[0, "evidence"]


def test_the_output_imports_as_canonical_events(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ber.csv"
    assert run("extract", str(ARTICLES / "fr_depeche_ber_retrait_minusma.txt"), "-o", str(out)) == 0
    events, report = read_events(out)
    assert report.rows_loaded == len(pd.read_csv(out)) == 3
    assert set(events["dataset"].astype(str)) == {"article"}
    assert any("confidence" in w for w in report.warnings)


def test_publication_date_and_source_come_from_the_dateline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ber.csv"
    assert run("extract", str(ARTICLES / "fr_depeche_ber_retrait_minusma.txt"), "-o", str(out)) == 0
    assert "published 2023-08-14, fr" in capsys.readouterr().out
    table = pd.read_csv(out)
    assert (table["source"] == "Agence Sahel Presse").all()
    assert table.loc[0, "event_date"] == "2023-08-13"


def test_html_page_gives_date_source_and_language(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sokolo.csv"
    assert run("extract", str(ARTICLES / "fr_presse_sokolo_enlevement.html"), "-o", str(out)) == 0
    assert "published 2023-05-19, fr" in capsys.readouterr().out
    table = pd.read_csv(out)
    assert (table["source"] == "L'Écho de Ségou").all()
    assert table.loc[0, "location"] == "Sokolo"


def test_standard_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Gunmen attacked a convoy near Gao on Monday, killing two soldiers."))
    out = tmp_path / "stdin.csv"
    assert run("extract", "-", "--published", "2024-05-02", "--source", "Pasted", "-o", str(out)) == 0
    row = pd.read_csv(out).iloc[0]
    assert (row["location"], row["event_date"], row["fatalities"]) == ("Gao", "2024-04-29", 2)


def test_language_can_be_given(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "gao.csv"
    article = ARTICLES / "en_wire_gao_roadside_bomb.txt"
    assert run("extract", str(article), "--published", "2023-02-22", "--lang", "en", "-o", str(out)) == 0
    assert set(pd.read_csv(out)["language"]) == {"en"}
    assert (pd.read_csv(out)["source"] == "Sahel Wire").all()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.txt", "-o", "x.csv"], "no such file: missing.txt"),
        (["ARTICLE", "-o", "x.parquet"], "must be a .csv file"),
        (["ARTICLE", "-o", "x.csv"], "no publication date in the article; give it with --published"),
        (["EMPTY", "--published", "2024-01-01", "-o", "x.csv"], "no article text"),
    ],
)
def test_user_errors_are_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(ARTICLES / "en_wire_gao_roadside_bomb.txt", tmp_path / "a.txt")
    (tmp_path / "empty.html").write_text("<html><body><nav>Menu</nav></body></html>", encoding="utf-8")
    args = [{"ARTICLE": "a.txt", "EMPTY": "empty.html"}.get(a, a) for a in args]
    assert run("extract", *args) == 2
    err = capsys.readouterr().err
    assert err.startswith("conflictmap: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "x.csv").exists()


def test_a_bad_date_is_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run("extract", "a.txt", "--published", "14/09/2023", "-o", "x.csv")
    assert exit_info.value.code == 2
    assert "'14/09/2023' is not a date; expected YYYY-MM-DD" in capsys.readouterr().err
