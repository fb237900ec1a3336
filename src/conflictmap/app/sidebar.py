"""The sidebar's filters, each with how many events it alone keeps, and the URL that follows them.

``filters`` draws the controls from the data's choices, sets the page's URL
to what they show (so a copied link reopens the same view) and returns the
``PageContext`` every panel below takes.
"""

from __future__ import annotations

import unicodedata

import pandas as pd
import streamlit as st

from conflictmap import charts, facets, schema
from conflictmap.app import cache, state
from conflictmap.app.context import PageContext, PageData
from conflictmap.app.text import md_escape
from conflictmap.filters import FilterSpec, clamp_dates
from conflictmap.headlines import plural
from conflictmap.pagelink import PageState, link_too_long, query_key


def apply_spec(spec: FilterSpec, info: dict) -> None:
    """Set every filter control from ``spec`` (a link opened, the back button, the reset button)."""
    for name, value in facets.controls_from_spec(spec, info["span"], info["latest"]).items():
        st.session_state[f"f_{name}"] = value


def spec_from_controls() -> FilterSpec:
    """The filter the controls show."""
    return facets.spec_from_controls({name: st.session_state[f"f_{name}"] for name in facets.CONTROLS})


def reset_filters(info: dict) -> None:
    st.session_state.pop(state.DATE_NOTE, None)
    apply_spec(FilterSpec(), info)


def _period_of(first, last, info: dict) -> str:
    period = facets.matching_preset(first, last, info["latest"])
    return "custom" if period == "all" else period


def on_period(info: dict) -> None:
    st.session_state.pop(state.DATE_NOTE, None)  # the dates are the user's now
    period, span = st.session_state[state.PERIOD], info["span"]
    if period == "all":
        st.session_state[state.DATES] = (span.first, span.last)
    elif period in facets.date_presets(info["latest"]):
        st.session_state[state.DATES] = facets.date_presets(info["latest"])[period]


def on_dates(info: dict) -> None:
    st.session_state.pop(state.DATE_NOTE, None)
    picked = st.session_state[state.DATES]
    if len(picked) == 2:
        st.session_state[state.PERIOD] = _period_of(picked[0], picked[1], info)


def on_timeline(info: dict, key: str, freq: str) -> None:
    """A range drawn on the timeline becomes the date filter."""
    picked = charts.selected_range(st.session_state.get(key), freq)
    if picked is None:
        return
    st.session_state[state.DATES] = picked
    st.session_state[state.PERIOD] = _period_of(picked[0], picked[1], info)
    # A new chart key clears the drawn interval: the dates now live in the filter.
    st.session_state[state.TIMELINE_GEN] = st.session_state.get(state.TIMELINE_GEN, 0) + 1


def _accent_free(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def region_table(info: dict, selected: list[str]) -> pd.DataFrame:
    """``facets.region_choices`` of the data's regions (every spelling merged), with a label a picker can search.

    Streamlit's picker searches its labels as typed, so the label also holds each name without its accents:
    "Ségou / Segou (12)", and typing "Seg" finds Ségou.
    """
    pairs = info["regions"]
    values = pd.Series([v for v, _ in pairs], dtype=object)
    table = facets.region_choices(values, selected, weights=[n for _, n in pairs])
    labels = []
    for shown, events in zip(table["display_name"], table["events"], strict=True):
        names = [n.strip() for n in str(shown).split(" / ")]
        names += [_accent_free(n) for n in names if _accent_free(n) not in names]
        labels.append(f"{' / '.join(dict.fromkeys(names))} ({int(events):,})")
    return table.assign(label=labels)


def take_link_filter(info: dict) -> None:
    """Give the controls the link's filter once the data's choices are known, or their defaults if they lost them.

    A link's dates no table can hold (``?to=9999-12-31``, ``?from=0001-01-01``) are brought inside the data's
    span, and the page says so; other dates beyond the data stay as the link has them (the comparison with the
    period before needs them).
    """
    if state.PENDING_SPEC in st.session_state:
        clamped = clamp_dates(st.session_state.pop(state.PENDING_SPEC), info["span"], table_only=True)
        apply_spec(clamped.spec, info)
        st.session_state[state.DATE_NOTE] = (
            None if clamped.note is None else (clamped.note, tuple(st.session_state[state.DATES]))
        )
    elif any(k not in st.session_state for k in state.FILTER_KEYS):
        # A control dropped from the page for a run loses its state: give it back its default only.
        current = dict(st.session_state)
        apply_spec(FilterSpec(), info)
        st.session_state.update({k: current[k] for k in state.FILTER_KEYS if k in current})
    if st.session_state[state.PERIOD] == "all":
        st.session_state[state.DATES] = (info["span"].first, info["span"].last)


class CountSlots(dict):
    """Where each filter's count goes, in the sidebar: filled once the map has been sent (``fill_counts``)."""


def fill_counts(ctx: PageContext, slots: CountSlots) -> None:
    """How many events the filter shows, and how many each filter alone keeps, under its control."""
    counts = cache.ask(cache.filter_counts, ctx.data_key, ctx.spec_key, ctx.views, ctx.spec)
    ctx.count = int(counts["all"])
    total = plural(ctx.data.total, "event")
    slots["all"].caption(f"Showing {counts['all']:,} of {total}")
    for group, slot in slots.items():
        if group != "all" and group in counts:
            slot.caption(f"keeps {counts[group]:,} of {total}")


def filters(data: PageData) -> tuple[PageContext, CountSlots]:
    """Draw the filter controls and set the URL to what they show; the page's context and where the counts go.

    The counts come after the map (``fill_counts``): a filter change redraws the map first.
    """
    info = data.info
    take_link_filter(info)
    slots = CountSlots()

    def _keeps(_counts, group: str) -> None:
        slots[group] = st.container()

    counts = None  # worked out after the map
    with st.sidebar:
        head, reset = st.columns([3, 2], vertical_alignment="bottom")
        head.header("Filters")
        reset.button("Reset", on_click=reset_filters, args=(info,), help="Show every event of the datasets shown")
        # Containers, not st.empty: the last counts stay in place until replaced, so the sidebar does not jump.
        slots["all"] = st.container()

        span = info["span"]
        st.selectbox(
            "Dates",
            options=list(facets.DATE_PRESETS),
            format_func=facets.DATE_PRESETS.get,
            key=state.PERIOD,
            on_change=on_period,
            args=(info,),
            help=f"Presets count back from the latest event ({info['latest']:%d %b %Y}).",
        )
        picked = tuple(st.session_state[state.DATES])
        st.date_input(
            "Date range",
            key=state.DATES,
            min_value=min(span.first, *picked),
            max_value=max(span.last, *picked),
            on_change=on_dates,
            args=(info,),
            format="YYYY-MM-DD",
            label_visibility="collapsed",
        )
        note = st.session_state.get(state.DATE_NOTE)
        if note is not None and tuple(st.session_state[state.DATES]) == note[1]:
            st.info(f"Dates from the link: {md_escape(note[0])}.", icon=":material/event_busy:")
        _keeps(counts, "dates")

        type_labels = dict(info["types"])
        st.multiselect(
            "Incident types",
            options=list(type_labels),
            format_func=type_labels.get,
            key=state.TYPES,
            placeholder="All types",
            help="Pick a type for all its sub-types, or single sub-types.",
        )
        _keeps(counts, "types")

        actor_labels = dict(zip(info["actors"]["key"], info["actors"]["label"], strict=True))
        # Actors named by a link but absent from the data stay choosable, with 0 events.
        absent = [a for a in st.session_state[state.ACTORS] if a not in actor_labels]
        extra = facets.actor_choices(schema.empty_events(), absent)
        actor_labels.update(zip(extra["key"], extra["label"], strict=True))
        st.multiselect(
            "Actors",
            options=list(actor_labels),
            format_func=actor_labels.get,
            key=state.ACTORS,
            placeholder="All actors (type to search)",
            help="Aliases are merged (FAMa, Malian army and Military Forces of Mali are one actor); "
            "an alliance includes its members. Most active first.",
        )
        _keeps(counts, "actors")

        regions = region_table(info, st.session_state[state.REGIONS])
        # A link's spelling ("Tombouctou") selects the merged region ("Timbuktu / Tombouctou").
        chosen = facets.chosen_regions(regions, st.session_state[state.REGIONS])
        if chosen != list(st.session_state[state.REGIONS]):
            st.session_state[state.REGIONS] = chosen
        region_labels = dict(zip(regions["value"], regions["label"], strict=True))
        st.multiselect(
            "Region (admin1)",
            options=list(region_labels),
            format_func=region_labels.get,
            key=state.REGIONS,
            placeholder="All regions (type to search)",
            help="Spellings are merged (Timbuktu and Tombouctou, Ségou and Segou are one region); "
            "the regions of 2023 count as the ones they were carved out of.",
        )
        _keeps(counts, "regions")

        st.number_input("Minimum fatalities", min_value=0, step=1, key=state.MIN_FATALITIES)
        _keeps(counts, "fatalities")

        st.toggle(
            "Precise only",
            key=state.PRECISE,
            help="Only events placed at the named place (location precision 1) on a known day (date precision 1).",
        )
        _keeps(counts, "precision")

        st.text_input(
            "Search",
            key=state.TEXT,
            placeholder="Words in notes, actors or places",
            help="Also searches the tags, e.g. “crowd size=around 200”.",
        )
        _keeps(counts, "text")

        if info.get("actor_types") or st.session_state["f_actor_types"]:
            kind_labels = facets.count_labels(info["actor_types"], st.session_state["f_actor_types"])
            st.multiselect(
                "Actor type",
                options=list(kind_labels),
                format_func=kind_labels.get,
                key="f_actor_types",
                placeholder="All actor types",
                help="ACLED's actor types (actor 1 or 2); UCDP's sides where clear (a government: State forces).",
            )
            _keeps(counts, "actor_types")
            pair_labels = facets.count_labels(info["interactions"], st.session_state["f_interactions"])
            st.multiselect(
                "Interaction",
                options=list(pair_labels),
                format_func=pair_labels.get,
                key="f_interactions",
                placeholder="All interactions",
                help="Who against whom, as ACLED codes it: e.g. State forces-Civilians.",
            )
            _keeps(counts, "interactions")
        if info.get("unclear") or st.session_state["f_clear_only"]:
            st.toggle(
                "Clear events only",
                key="f_clear_only",
                help=f"Leave out the {info.get('unclear', 0):,} events their source marks unclear "
                "(UCDP: event clarity 2, or a code status to check).",
            )
            _keeps(counts, "clarity")

        if len(info["datasets"]) > 1 or st.session_state[state.DATASETS]:
            dataset_labels = facets.count_labels(info["datasets"], st.session_state[state.DATASETS])
            st.multiselect(
                "Source dataset",
                options=list(dataset_labels),
                format_func=dataset_labels.get,
                key=state.DATASETS,
                placeholder="All",
            )
            _keeps(counts, "datasets")
        carried = st.session_state[state.CARRIED]
        if carried:
            st.caption("From the link: " + md_escape(FilterSpec(**carried).describe()) + ". Reset clears it.")
            _keeps(counts, "area")

    spec = spec_from_controls()
    spec_key = query_key(spec.to_query_params())
    link = PageState(spec, tuple(data.chosen), st.session_state.get(state.MODE) or "auto")
    opening = data.sources.opening_key
    wanted = link.to_query_params([opening] if opening else [])
    too_long = link_too_long(wanted)
    if too_long is not None:
        # Streamlit would drop such a link without a word when it is opened again.
        st.sidebar.warning(md_escape(too_long), icon=":material/link_off:")
    if query_key(wanted) != st.session_state.get(state.URL):
        st.query_params.from_dict(wanted)
        st.session_state[state.URL] = query_key(wanted)
        st.session_state[state.URL_PROBLEMS] = []
    return PageContext(data, spec, spec_key, -1, link, wanted), slots
