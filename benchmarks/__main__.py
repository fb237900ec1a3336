"""``python -m benchmarks``: measure every step at every size and write RESULTS.md (see the package docstring)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from benchmarks import report
from benchmarks.measure import ROOT
from benchmarks.runner import Config, run

DEFAULT_SIZES = "10000,100000,1000000"
FULL_SIZE = 10_000_000


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "").strip()) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes {text!r}: expected whole numbers separated by commas") from None
    if not sizes or any(n <= 0 for n in sizes):
        raise argparse.ArgumentTypeError(f"sizes {text!r}: expected numbers of events above 0")
    return sizes


def _repeat(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"repeat {text!r}: expected a whole number of 1 or more")
    return int(text)


def parse(argv: list[str]) -> Config:
    """Options from the command line, defaults from the BENCH_* environment variables."""
    env = os.environ
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--sizes", type=_sizes, default=env.get("BENCH_N") or DEFAULT_SIZES, help="comma list of N")
    parser.add_argument(
        "--full", action="store_true", default=env.get("BENCH_FULL", "") == "1", help="add 10,000,000 events"
    )
    parser.add_argument("--repeat", type=_repeat, default=env.get("BENCH_REPEAT") or "5", help="runs per step")
    parser.add_argument(
        "--output",
        type=Path,
        default=Path(env.get("BENCH_OUTPUT") or ROOT / "benchmarks" / "RESULTS.md"),
        help="Markdown report to write; the raw figures go next to it as .json",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(env.get("BENCH_DATA_DIR") or ROOT / "benchmarks" / "out"),
        help="where the synthetic event files are kept",
    )
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="measure nothing: write the Markdown again from the JSON next to it (after a change to the report)",
    )
    # argparse runs `type` over string defaults too, so a bad BENCH_* value is reported like a bad option.
    args = parser.parse_args(argv)
    sizes, repeat = list(args.sizes), args.repeat
    if args.full and FULL_SIZE not in sizes:
        sizes.append(FULL_SIZE)
    return Config(
        sizes=sorted(sizes),
        repeat=repeat,
        output=args.output.resolve(),
        data_dir=args.data_dir.resolve(),
        render_only=args.render_only,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when the report was written."""
    config = parse(sys.argv[1:] if argv is None else argv)
    if config.render_only:
        if not config.json_path.exists():
            print(
                f"python -m benchmarks: error: no figures to render: {config.json_path} does not exist", file=sys.stderr
            )
            return 2
        report.write(json.loads(config.json_path.read_text(encoding="utf-8")), config.output, config.json_path)
        print(f"wrote {config.output}")
        return 0
    run(config)
    print(f"wrote {config.output} and {config.json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
