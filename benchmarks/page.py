"""The whole page under Streamlit's AppTest: the first run, then reruns after a widget change.

The page reads the N-event file named by ``CONFLICTMAP_DATA`` (set by the
caller). The widget changed is the event-type choice when the page has one,
else the first choice widget found; each rerun picks a value not used before,
so no rerun is answered by the cache of an earlier identical one.
"""

from __future__ import annotations

import sys
import time
from urllib.parse import parse_qsl

from benchmarks import sampler
from benchmarks.measure import ROOT, Sample, proc_status, reset_peak_memory
from benchmarks.payload import quiet_streamlit

DASHBOARD = ROOT / "dashboard.py"
TIMEOUT_S = 600
_ST_FOLIUM = "streamlit_folium.st_folium"


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def page_bytes(at) -> tuple[int, int]:
    """Bytes of every element the page sends (protobuf) and of the st_folium arguments among them."""
    total = folium = 0
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "ByteSize"):
            continue
        total += proto.ByteSize()
        if getattr(proto, "component_name", "") == _ST_FOLIUM:
            folium += len(proto.json_args.encode())
    return total, folium


def folium_elements(at) -> int:
    """How many st_folium maps the page shows."""
    return sum(1 for n in _walk(at._tree) if getattr(getattr(n, "proto", None), "component_name", "") == _ST_FOLIUM)


def _raw_options(widget) -> list[str]:
    """The values behind a multiselect's labels that we can name: incident types first, then the labels themselves.

    AppTest shows the labels its ``format_func`` made, but ``set_value`` takes the values;
    the page's type choices are ``facets.TYPE_PREFIX`` + the type.
    """
    from conflictmap import schema

    try:
        from conflictmap.facets import TYPE_PREFIX
    except ImportError:
        TYPE_PREFIX = ""  # the page has no facets module: plain type names
    shown = set(widget.options)
    found = []
    types = [TYPE_PREFIX + t for t in schema.EVENT_TYPES] + list(schema.EVENT_TYPES)
    for value in [*types, *widget.options]:
        try:
            label = widget.format_func(value)
        except (KeyError, TypeError, ValueError):
            continue
        if label is not None and str(label) in shown and value not in found:
            found.append(value)
    return found


def _choice_changes(at, runs: int):
    """(description, change function, value set by each change) for ``runs`` reruns; None without a widget."""
    multiselects = list(at.multiselect)
    typed = [w for w in multiselects if "type" in (w.label or "").lower()]
    for widget in typed + multiselects:
        options = _raw_options(widget)
        if options:
            values = [[options[i % len(options)]] for i in range(runs + 1)]
            names = [str(v[0]) for v in values]
            return f"multiselect {widget.label!r}", lambda i, w=widget, v=values: w.set_value(v[i]), names
    for widget in at.selectbox:
        if len(widget.options) > 1:
            count = len(widget.options)
            names = [str(widget.options[(i + 1) % count]) for i in range(runs + 1)]
            return f"selectbox {widget.label!r}", lambda i, w=widget, k=count: w.select_index((i + 1) % k), names
    for widget in list(at.checkbox) + list(at.toggle):
        names = [str(i % 2 == 0) for i in range(runs + 1)]
        return f"checkbox {widget.label!r}", lambda i, w=widget: w.set_value(i % 2 == 0), names
    return None


def run_page(runs: int, profile: bool, query: str = "") -> dict[str, object]:
    """First run and timed reruns of dashboard.py opened on ``query`` (e.g. ``src=store``); what it sent and memory."""
    from streamlit.testing.v1 import AppTest

    quiet_streamlit()
    sys.argv = [str(DASHBOARD)]
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT_S)
    for key, value in parse_qsl(query):
        at.query_params[key] = value
    reset_peak_memory()
    start, cpu = time.perf_counter(), time.process_time()
    at.run()
    first = Sample([time.perf_counter() - start], [time.process_time() - cpu])
    problems = [str(e.value) for e in at.exception] + [str(e.value) for e in at.error]
    if at.exception:
        return {"status": "error", "note": "the page raised: " + " | ".join(problems)[:500]}
    if not folium_elements(at):
        return {"status": "error", "note": "the page drew no map: " + (" | ".join(problems)[:500] or "no error shown")}
    total, folium = page_bytes(at)
    first_run = {
        "sample": first.as_dict(),
        "bytes": total,
        "folium_bytes": folium,
        "maps": folium_elements(at),
        "errors": problems,
        "peak_rss": proc_status().get("VmHWM", 0),
    }
    changes = _choice_changes(at, runs + 1)
    rerun = Sample()
    if changes is None:
        widget, names = "no widget on the page: a plain rerun", ["(none)"] * (runs + 1)

        def change(i: int) -> None:
            return None

    else:
        widget, change, names = changes
    reset_peak_memory()
    for i in range(runs):
        change(i)
        start, cpu = time.perf_counter(), time.process_time()
        at.run()
        rerun.values.append(time.perf_counter() - start)
        rerun.cpu.append(time.process_time() - cpu)
        if at.exception:
            return {"status": "error", "note": "a rerun raised: " + str(at.exception[0].value)[:500]}
    total, folium = page_bytes(at)
    result: dict[str, object] = {
        "status": "ok",
        "first": first_run,
        "rerun": {
            "sample": rerun.as_dict(),
            "bytes": total,
            "folium_bytes": folium,
            "widget": widget,
            "values": names[:runs],
            "peak_rss": proc_status().get("VmHWM", 0),
        },
    }
    if profile:

        def one_more() -> None:
            change(runs)
            at.run()

        result["rerun"]["profile"] = sampler.profile(one_more)  # type: ignore[index]
    return result
