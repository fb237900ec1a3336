"""The conflictmap benchmark: ``make bench`` (``python -m benchmarks``).

For each size N it writes N synthetic events (``conflictmap synth``) and
measures every step of the speed targets on them: opening the GeoParquet file
cold and warm, a FilterSpec, the map update st_folium sends, the timeline, the
page under AppTest, the HTML snapshot, the page in headless Chromium and the
dashboard's memory, plus the naive one-marker-per-event folium map for
comparison. Results go to ``benchmarks/RESULTS.md`` and the raw figures to
``benchmarks/results.json``.

Settings (environment variable, or the command-line option in brackets):

``BENCH_N`` (``--sizes``)
    Comma-separated sizes, default ``10000,100000,1000000``.
``BENCH_FULL=1`` (``--full``)
    Adds 10,000,000.
``BENCH_REPEAT`` (``--repeat``)
    Runs per expensive step (default 5); quick in-process steps run four times as often.
``BENCH_OUTPUT`` (``--output``)
    The Markdown file to write (default ``benchmarks/RESULTS.md``); the JSON goes next to it.
``BENCH_DATA_DIR`` (``--data-dir``)
    Where the synthetic files are kept between runs (default ``benchmarks/out``).

``--render-only`` writes the Markdown again from the JSON, measuring nothing.
At sizes above those already measured in the run, a step whose memory need
(scaled from the smaller sizes) would not fit in the memory available is
skipped and the report says so.
"""

import sys
from pathlib import Path

# The app server and the PostgreSQL cluster the tests start serve the benchmark too.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
