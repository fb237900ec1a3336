"""``python -m benchmarks.gazetteer``: how fast the gazetteer loads and looks names up, and how right it is.

* load: ``all_places()`` and the name index, in a fresh process (the package import is timed apart);
* lookup: exact names (every listed place's name, shuffled), transliteration variants and
  misspellings (one letter dropped), the first close-spelling lookup (it builds the letter-pair
  index), ``find_mentions`` on a paragraph;
* accuracy against ACLED's own coordinates, when the raw ACLED Mali export is present
  (``data/raw/gazetteer/acled/*.csv``, see ``data/GAZETTEER_SOURCES.md``): for every distinct
  location ACLED codes with ``geo_precision`` 1, is the first candidate of
  ``geocode(location, admin1=ACLED's admin1)`` within 5 km of ACLED's point?

Writes ``benchmarks/GAZETTEER.md`` and the raw figures to ``GAZETTEER.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "benchmarks" / "GAZETTEER.md"
ACLED_DIR = ROOT / "data" / "raw" / "gazetteer" / "acled"
UCDP_FILE = ROOT / "data" / "raw" / "gazetteer" / "ucdp" / "ged201.csv"
WITHIN_KM = 5.0

_LOAD = """
import json, time
t0 = time.perf_counter()
import conflictmap.gazetteer as g
t1, c1 = time.perf_counter(), time.process_time()
p = g.all_places()
t2, c2 = time.perf_counter(), time.process_time()
g._index()
t3, c3 = time.perf_counter(), time.process_time()
print(json.dumps({"import_s": t1 - t0, "places_s": t2 - t1, "index_s": t3 - t2, "cpu_s": c3 - c1, "places": len(p)}))
"""

PARAGRAPH = (
    "Des hommes armés ont attaqué lundi les villages de Diallassagou, Dianweli et Sokoura, dans le cercle "
    "de Bankass, au centre du Mali. Selon des sources locales, les assaillants venaient de la zone de "
    "Ogossagou. Le lendemain, l'armée a repris Boulkessi, près de la frontière du Burkina Faso, puis a "
    "patrouillé entre Mondoro, Djibo et Tin-Zaouatene."
) * 3


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _times(fn, items, clock=time.perf_counter) -> list[float]:
    out = []
    for item in items:
        t = clock()
        fn(item)
        out.append(clock() - t)
    return out


def measure_load(runs: int) -> dict[str, object]:
    """Cold load in fresh processes: median of ``runs``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    samples = []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-c", _LOAD], capture_output=True, text=True, env=env, check=True)
        samples.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    med = {k: statistics.median(s[k] for s in samples) for k in ("import_s", "places_s", "index_s", "cpu_s")}
    med["load_s"] = med["places_s"] + med["index_s"]
    return {**med, "places": samples[0]["places"], "runs": runs}


def measure_lookups(n: int, seed: int) -> dict[str, object]:
    from conflictmap import gazetteer as g

    rng = random.Random(seed)
    names = sorted({p.name for p in g.all_places()})
    exact = rng.sample(names, min(n, len(names)))
    g._index()
    # The first close-spelling lookup builds the letter-pair and variant indexes.
    t = time.perf_counter()
    g.geocode("Tombouctouu")
    first_fuzzy = time.perf_counter() - t
    dropped = []
    for name in exact[: n // 2]:
        if len(name) > 5:
            i = rng.randrange(1, len(name) - 1)
            dropped.append(name[:i] + name[i + 1 :])
    variants = [name.replace("ou", "u").replace("é", "e") + "e" for name in exact[: n // 2]]
    results = {}
    for label, queries in (("exact", exact), ("variant", variants), ("misspelt", dropped)):
        times = _times(lambda q: g.geocode(q, limit=5), queries)
        cpu = _times(lambda q: g.geocode(q, limit=5), queries, clock=time.process_time)
        results[label] = {
            "n": len(times),
            "median_ms": statistics.median(times) * 1000,
            "p95_ms": _pct(times, 0.95) * 1000,
            "max_ms": max(times) * 1000,
            "cpu_p95_ms": _pct(cpu, 0.95) * 1000,
        }
    near = _times(lambda q: g.geocode(q, limit=5, near=(14.0, -3.5)), exact[:500])
    results["exact_near"] = {
        "n": len(near),
        "median_ms": statistics.median(near) * 1000,
        "p95_ms": _pct(near, 0.95) * 1000,
    }
    mentions = _times(lambda t: g.find_mentions(t, lists=True), [PARAGRAPH] * 20)
    results["find_mentions"] = {"chars": len(PARAGRAPH), "median_ms": statistics.median(mentions) * 1000}
    results["first_fuzzy_ms"] = first_fuzzy * 1000
    return results


def measure_acled() -> dict[str, object] | None:
    """Share of ACLED's precisely located places whose first candidate is within ``WITHIN_KM``."""

    files = sorted(ACLED_DIR.glob("*.csv")) if ACLED_DIR.is_dir() else []
    if not files:
        return None
    places: dict[tuple[str, ...], tuple[float, float]] = {}
    for path in files:
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row.get("geo_precision") != "1" or row.get("country") != "Mali":
                    continue
                where = (row["location"], row["admin1"], row["admin2"], row["admin3"])
                places.setdefault(where, (float(row["latitude"]), float(row["longitude"])))
    return {
        "admin1": _agreement(places, level=1),
        "admin1_and_cercle": _agreement(places, level=2),
        "admin1_cercle_and_commune": _agreement(places, level=3),
        "files": [p.name for p in files],
    }


def _agreement(places: dict[tuple[str, ...], tuple[float, float]], *, level: int) -> dict[str, object]:
    from conflictmap import gazetteer as g

    within = found = 0
    by_origin: dict[str, list[int]] = {}
    distances = []
    for (name, admin1, admin2, admin3), (lat, lon) in sorted(places.items()):
        hints = {"admin1": admin1, "admin2": admin2 if level >= 2 else None, "admin3": admin3 if level >= 3 else None}
        try:
            first = g.geocode(name, limit=1, **hints)
        except g.UnknownAdmin1Error:
            # A cercle or commune spelled otherwise than in the lists: the hints that are known.
            try:
                first = g.geocode(name, admin1=admin1, admin2=hints["admin2"], limit=1)
            except g.UnknownAdmin1Error:
                first = g.geocode(name, admin1=admin1, limit=1)
        if not first:
            continue
        found += 1
        d = g.distance_km(lat, lon, first[0].latitude, first[0].longitude)
        distances.append(d)
        ok = d <= WITHIN_KM
        within += ok
        tally = by_origin.setdefault(first[0].place.origin, [0, 0])
        tally[0] += 1
        tally[1] += ok
    total = len(places)
    return {
        "locations": total,
        "found": found,
        "within_km": WITHIN_KM,
        "within": within,
        "share_within": within / total if total else 0.0,
        "share_within_of_found": within / found if found else 0.0,
        "median_km": statistics.median(distances) if distances else None,
        "by_origin": {k: {"first": v[0], "within": v[1]} for k, v in sorted(by_origin.items())},
    }


ACLED_ADDRESS = "github.com/AC0519/Mali, commit 8b173562817e856c0dacf4d026a3ef50526a18ee"
#: Distances reported for the point cross-check (km).
POINT_KM = (5.0, 25.0)


def measure_acled_points(limit: int = 5) -> dict[str, object] | None:
    """Every distinct (location, latitude, longitude) of the raw ACLED files, looked up by its name.

    For each point: found or not; the distance from ACLED's point to the first candidate (ranked with
    ACLED's admin1 as the hint, and without a hint) and to the nearest of the first ``limit`` candidates
    (is the right place among those the review shows?). Figures per ACLED ``geo_precision`` too: a
    precision-2 point is "near" the named place, a precision-3 point the provincial capital.
    """
    from conflictmap import gazetteer as g

    files = sorted(ACLED_DIR.glob("*.csv")) if ACLED_DIR.is_dir() else []
    if not files:
        return None
    points: dict[tuple[str, float, float], tuple[str, str]] = {}
    for path in files:
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row.get("country") != "Mali":
                    continue
                key = (row["location"].strip(), float(row["latitude"]), float(row["longitude"]))
                # A point coded at several precisions keeps its most precise one.
                old = points.get(key)
                if old is None or row["geo_precision"] < old[1]:
                    points[key] = (row["admin1"].strip(), row["geo_precision"])
    results: list[dict[str, object]] = []
    for (name, lat, lon), (admin1, precision) in sorted(points.items()):
        try:
            hinted = g.geocode(name, admin1=admin1, limit=limit)
        except g.UnknownAdmin1Error:
            hinted = g.geocode(name, limit=limit)
        bare = g.geocode(name, limit=1)

        def far(c, lat: float = lat, lon: float = lon) -> float:
            return g.distance_km(lat, lon, c.latitude, c.longitude)

        results.append(
            {
                "precision": precision,
                "found": bool(hinted),
                "first_km": far(hinted[0]) if hinted else None,
                "first_kind": hinted[0].kind if hinted else None,
                "first_origin": hinted[0].place.origin if hinted else None,
                "nearest_km": min(far(c) for c in hinted) if hinted else None,
                "bare_km": far(bare[0]) if bare else None,
                "name": name,
            }
        )
    groups = {"all": results}
    for precision in sorted({str(r["precision"]) for r in results}):
        groups[f"geo_precision {precision}"] = [r for r in results if r["precision"] == precision]
    summary = {label: _point_figures(rows) for label, rows in groups.items()}
    missing = sorted({str(r["name"]) for r in results if not r["found"]})
    far_first = sorted(
        (round(float(r["first_km"]), 1), str(r["name"]))  # type: ignore[arg-type]
        for r in results
        if r["found"] and r["precision"] == "1" and float(r["first_km"]) > POINT_KM[1]  # type: ignore[arg-type]
    )
    kinds: dict[str, int] = {}
    for r in results:
        if r["found"] and float(r["first_km"]) <= POINT_KM[0]:  # type: ignore[arg-type]
            kinds[str(r["first_kind"])] = kinds.get(str(r["first_kind"]), 0) + 1
    return {
        "files": [p.name for p in files],
        "address": ACLED_ADDRESS,
        "groups": summary,
        "not_found": missing,
        "far_first": far_first,
        "kinds_within_5km": dict(sorted(kinds.items(), key=lambda kv: -kv[1])),
        "limit": limit,
    }


def measure_acled_precision3() -> dict[str, object] | None:
    """Where ACLED puts its ``geo_precision`` 3 rows: the region's capital, a cercle's capital, or the centroid?

    Checks the rule the gazetteer follows for a region named alone (``region_capital``) on ACLED's rows.
    """
    from conflictmap import gazetteer as g

    files = sorted(ACLED_DIR.glob("*.csv")) if ACLED_DIR.is_dir() else []
    if not files:
        return None
    regions = {p.admin1: p for p in g.places() if p.kind == "region"}
    capitals = [p for p in g.places() if p.kind in ("capital", "region_capital", "cercle_capital")]
    rows = []
    for path in files:
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row.get("geo_precision") != "3" or row.get("country") != "Mali":
                    continue
                lat, lon = float(row["latitude"]), float(row["longitude"])
                region = regions.get(g.canonical_admin1(row["admin1"]) or "")
                if region is None:
                    continue
                seat = g.region_capital(region)
                rows.append(
                    {
                        "to_region_capital_km": g.distance_km(lat, lon, seat.latitude, seat.longitude)
                        if seat
                        else None,
                        "to_centroid_km": g.distance_km(lat, lon, region.latitude, region.longitude),
                        "to_any_capital_km": min(g.distance_km(lat, lon, c.latitude, c.longitude) for c in capitals),
                    }
                )
    if not rows:
        return None

    def share(key: str) -> float:
        return sum(r[key] is not None and float(r[key]) <= WITHIN_KM for r in rows) / len(rows)  # type: ignore[arg-type]

    return {
        "rows": len(rows),
        "at_region_capital": share("to_region_capital_km"),
        "at_a_region_or_cercle_capital": share("to_any_capital_km"),
        "at_centroid": share("to_centroid_km"),
        "median_to_centroid_km": statistics.median(float(r["to_centroid_km"]) for r in rows),  # type: ignore[arg-type]
    }


def _point_figures(rows: list[dict[str, object]]) -> dict[str, object]:
    found = [r for r in rows if r["found"]]
    out: dict[str, object] = {"points": len(rows), "found": len(found)}
    for key in ("first_km", "nearest_km", "bare_km"):
        d = sorted(float(r[key]) for r in rows if r[key] is not None)  # type: ignore[arg-type]
        out[key] = {
            "n": len(d),
            "median": statistics.median(d) if d else None,
            "p90": _pct(d, 0.9) if d else None,
            # Shares of all points (a point not found counts as not within).
            **{f"within_{km:g}": sum(x <= km for x in d) / len(rows) if rows else 0.0 for km in POINT_KM},
        }
    return out


def measure_ucdp() -> dict[str, object] | None:
    """UCDP GED 20.1's Mali location strings ("Tessit village"): is the first candidate within 5 km?"""
    import re

    from conflictmap import gazetteer as g

    if not UCDP_FILE.exists():
        return None
    from shapely.geometry import Point, shape

    kind = re.compile(r"\s+(?:village|town|city|locality|location|well|camp|area)$", re.IGNORECASE)
    # Only points inside Mali (the package's Natural Earth outline): the box also holds its neighbours.
    outlines = json.loads((ROOT / "src" / "conflictmap" / "data" / "basemap_countries.geojson").read_text())
    mali = next(shape(f["geometry"]) for f in outlines["features"] if f["properties"].get("iso_a3") == "MLI")
    points: dict[str, tuple[float, float]] = {}
    with open(UCDP_FILE, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            lat, lon = float(row["latitude"]), float(row["longitude"])
            where = row["where_coordinates"].strip()
            if 10.1 <= lat <= 25.0 and -12.3 <= lon <= 4.3 and kind.search(where) and mali.contains(Point(lon, lat)):
                points.setdefault(where, (lat, lon))
    found = within = 0
    for where, (lat, lon) in sorted(points.items()):
        first = g.geocode(kind.sub("", where), limit=1)
        if first:
            found += 1
            within += g.distance_km(lat, lon, first[0].latitude, first[0].longitude) <= WITHIN_KM
    return {"locations": len(points), "found": found, "within": within}


def render(r: dict[str, object]) -> str:
    load, look, acled = r["load"], r["lookups"], r["acled"]
    lines = [
        "# The gazetteer: load, lookup and accuracy",
        "",
        "Written by `python -m benchmarks.gazetteer` (part of `make bench`); raw figures in `GAZETTEER.json`.",
        f"Measured {r['when']} on {r['machine']}; load average at start {r['load_average']} "
        "(wall times grow when other work shares the cores; CPU time does not).",
        "",
        "## Load (fresh process, median of {runs})".format(runs=load["runs"]),
        "",
        f"{load['places']:,} places. Target: under 0.5 s.",
        "",
        "| step | time |",
        "|---|---|",
        f"| `all_places()`: read and check both tables | {load['places_s'] * 1000:.0f} ms |",
        f"| name index (exact spellings, free-text phrases) | {load['index_s'] * 1000:.0f} ms |",
        f"| **load** | **{load['load_s'] * 1000:.0f} ms** (CPU time {load['cpu_s'] * 1000:.0f} ms) |",
        f"| (importing the `conflictmap` package first, not the gazetteer's) | {load['import_s'] * 1000:.0f} ms |",
        "",
        "## Lookup (`geocode`, limit 5). Target: under 5 ms",
        "",
        "| queries | n | median | p95 | max | p95 CPU time |",
        "|---|---|---|---|---|---|",
    ]
    labels = {
        "exact": "listed names",
        "variant": "variants (ou -> u, é -> e, a final e)",
        "misspelt": "one letter dropped",
        "exact_near": "listed names with `near=`",
    }
    for key, label in labels.items():
        s = look[key]
        mx = f"{s['max_ms']:.2f} ms" if "max_ms" in s else ""
        cpu = f"{s['cpu_p95_ms']:.2f} ms" if "cpu_p95_ms" in s else ""
        lines.append(f"| {label} | {s['n']} | {s['median_ms']:.2f} ms | {s['p95_ms']:.2f} ms | {mx} | {cpu} |")
    lines += [
        "",
        f"The first lookup that is not an exact spelling builds the variant and letter-pair indexes once: "
        f"{look['first_fuzzy_ms']:.0f} ms. `find_mentions(lists=True)` on a {look['find_mentions']['chars']}-character "
        f"paragraph: {look['find_mentions']['median_ms']:.2f} ms.",
        "",
        "## Against ACLED's coordinates",
        "",
    ]
    if acled is None:
        lines.append("Not measured: no raw ACLED export in `data/raw/gazetteer/acled/` (see GAZETTEER_SOURCES.md).")
    else:
        first = acled["admin1"]
        lines += [
            f"ACLED Mali export {', '.join(acled['files'])}: {first['locations']} distinct locations "
            "(name, admin1, admin2, admin3) coded with `geo_precision` 1, each looked up with ACLED's admin1 as "
            "the hint, then with its cercle too, then with its commune too.",
            "",
            "| hint | found | first candidate within 5 km | of those found | median distance |",
            "|---|---|---|---|---|",
        ]
        levels = (
            ("admin1", "admin1"),
            ("admin1 and cercle", "admin1_and_cercle"),
            ("admin1, cercle and commune", "admin1_cercle_and_commune"),
        )
        for label, key in levels:
            a = acled[key]
            lines.append(
                f"| {label} | {a['found']} ({a['found'] / a['locations']:.0%}) | **{a['within']} "
                f"({a['share_within']:.0%})** | {a['share_within_of_found']:.0%} | {a['median_km']:.1f} km |"
            )
        lines += ["", "With the admin1 hint, where the first candidate came from:", ""]
        lines += ["| first candidate from | first | within 5 km |", "|---|---|---|"]
        for origin, v in first["by_origin"].items():
            lines.append(f"| {origin} | {v['first']} | {v['within']} |")
    points = r.get("acled_points")
    if points:
        lines += _render_points(points)
    p3 = r.get("acled_precision3")
    if p3:
        lines += [
            "",
            "### ACLED's region-level rows (`geo_precision` 3)",
            "",
            f"{p3['rows']} rows: {p3['at_region_capital']:.0%} within 5 km of their region's capital "
            "(where `geocode` now places a region named alone), "
            f"{p3['at_a_region_or_cercle_capital']:.0%} within 5 km of a region or cercle capital (a cercle named "
            f"alone sits at its capital), {p3['at_centroid']:.0%} within 5 km of the region's centroid "
            f"(median distance to it {p3['median_to_centroid_km']:.0f} km).",
        ]
    ucdp = r.get("ucdp")
    if ucdp:
        lines += [
            "",
            "## Against UCDP GED 20.1's coordinates",
            "",
            f"{ucdp['locations']} distinct locations inside Mali (Natural Earth outline) of UCDP GED 20.1 "
            "named with their kind "
            '("Tessit village", "Ber location"), looked up without a hint (the extract has no admin names): '
            f"{ucdp['found']} found, **first candidate within 5 km for {ucdp['within']} "
            f"({ucdp['within'] / ucdp['locations']:.0%})**.",
        ]
    return "\n".join(lines) + "\n"


def _render_points(points: dict[str, object]) -> list[str]:
    def km(v: object) -> str:
        return "" if v is None else f"{float(v):.1f} km"  # type: ignore[arg-type]

    lines = [
        "",
        "### Every ACLED point, by its name",
        "",
        f"File {', '.join(points['files'])} ({points['address']}; kept in the git-ignored "  # type: ignore[arg-type]
        "`data/raw/gazetteer/acled/`, never committed). Each distinct (location, latitude, longitude) is "
        "looked up by its name with ACLED's admin1 as the hint; the distance is from ACLED's point to the "
        f"first candidate, and to the nearest of the first {points['limit']} candidates (the alternatives the "
        "review shows). Shares are of all points; a point whose name is not found counts as not within.",
        "",
        "| points | n | found | first: median | p90 | within 5 km | within 25 km "
        "| nearest of 5: median | within 5 km | no hint, first: within 5 km |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, g in points["groups"].items():  # type: ignore[union-attr]
        f, n, b = g["first_km"], g["nearest_km"], g["bare_km"]
        lines.append(
            f"| {label} | {g['points']} | {g['found']} ({g['found'] / g['points']:.0%}) | {km(f['median'])} | "
            f"{km(f['p90'])} | **{f['within_5']:.0%}** | {f['within_25']:.0%} | {km(n['median'])} | "
            f"{n['within_5']:.0%} | {b['within_5']:.0%} |"
        )
    kinds = ", ".join(f"{k} {v}" for k, v in points["kinds_within_5km"].items())  # type: ignore[union-attr]
    lines += [
        "",
        f"Kind of the first candidate when within 5 km: {kinds}.",
        "",
        f"Not found ({len(points['not_found'])} names): " + ", ".join(points["not_found"]) + ".",  # type: ignore[arg-type]
        "",
        "Precision-1 points whose first candidate is more than 25 km away "
        f"({len(points['far_first'])}): "  # type: ignore[arg-type]
        + ", ".join(f"{n} ({d:g} km)" for d, n in points["far_first"])  # type: ignore[union-attr]
        + ".",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gazetteer", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes for the load (median)")
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    import platform

    cpu = platform.processor() or platform.machine()
    try:
        from benchmarks.machine import machine_info

        cpu = str(machine_info().get("cpu", cpu))
    except Exception:  # the machine line is decoration
        pass
    results = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": cpu,
        "load_average": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
        "load": measure_load(args.runs),
        "lookups": measure_lookups(args.lookups, seed=13),
        "acled": measure_acled(),
        "acled_points": measure_acled_points(),
        "acled_precision3": measure_acled_precision3(),
        "ucdp": measure_ucdp(),
    }
    args.output.write_text(render(results))
    args.output.with_suffix(".json").write_text(json.dumps(results, indent=1, default=str))
    print(render(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
