"""``conflictmap serve``: the packaged page runs from any folder, with its Leaflet files and the file asked for."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tomllib
import urllib.request

import pytest
from appserver import free_port, healthy
from conftest import ROOT, SEED_EVENTS

from conflictmap.cli import build_parser
from conflictmap.cli.serve import STREAMLIT_OPTIONS, page_folder, streamlit_command

START_TIMEOUT_S = 90


def test_serve_takes_data_and_port():
    args = build_parser().parse_args(["serve", "--data", "events.csv", "--port", "9999"])
    assert (args.data, args.port, args.address) == ("events.csv", 9999, "127.0.0.1")


def test_serve_passes_every_setting_of_the_checkouts_streamlit_config():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    given = {
        f"--{section}.{key}={str(value).lower() if isinstance(value, bool) else value}"
        for section, values in config.items()
        for key, value in values.items()
    }
    assert given == set(STREAMLIT_OPTIONS)


def test_the_page_folder_holds_the_script_and_the_assets(tmp_path):
    assets = tmp_path / "assets"
    (assets / "leaflet").mkdir(parents=True)
    (assets / "leaflet" / "leaflet.js").write_text("// leaflet")
    folder = tmp_path / "page"
    folder.mkdir()
    script = page_folder(folder, assets)
    assert "conflictmap.app.page import main" in script.read_text()
    assert (folder / "static" / "vendor" / "leaflet" / "leaflet.js").read_text() == "// leaflet"
    command = streamlit_command(script, port=1234, address="127.0.0.1", data=SEED_EVENTS)
    assert command[-3:] == ["--", "--data", str(SEED_EVENTS)]
    assert "--server.enableStaticServing=true" in command and "--server.port=1234" in command


def test_a_missing_data_file_is_one_line(tmp_path, capsys):
    from conflictmap.cli import main

    assert main(["serve", "--data", str(tmp_path / "nothing.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.skipif(not (ROOT / "static" / "vendor" / "leaflet").is_dir(), reason="Leaflet files not fetched")
def test_serve_runs_the_page_from_another_folder_with_its_assets(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFLICTMAP_")}
    env["CONFLICTMAP_ASSETS"] = str(ROOT / "static" / "vendor")
    env["PYTHONPATH"] = str(ROOT / "src")
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "conflictmap", "serve", "--data", str(SEED_EVENTS), "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not healthy(url):
            try:
                code = process.wait(timeout=0.25)
            except subprocess.TimeoutExpired:
                code = None
            assert code is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
        with urllib.request.urlopen(f"{url}/app/static/vendor/leaflet/leaflet.js", timeout=5) as response:
            assert response.status == 200 and b"Leaflet" in response.read(2000)
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)
