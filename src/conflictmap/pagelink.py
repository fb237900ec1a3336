"""The dashboard's state in its URL: the filter, the datasets shown and the map drawing.

A link copied from the address bar reopens the same view, and the browser's
back button steps through earlier views. The filter travels as
``FilterSpec.to_query_params`` writes it; two more parameters say which
datasets are shown (``src``, repeated; left out when it is the page's default)
and how the map draws them (``view``; left out for ``auto``).

A link may come from anywhere, so ``PageState.from_query_params`` keeps every
parameter it can use and reports the others, one message each, instead of
refusing the whole link.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from conflictmap.filters import QUERY_PARAMS, FilterError, FilterSpec
from conflictmap.links import SOURCE_PARAM, VIEW_PARAM, page_query
from conflictmap.viewport import PAGE_MODES as MODES


def _values(params: Mapping[str, object], name: str) -> list[str]:
    get_all = getattr(params, "get_all", None)
    raw = get_all(name) if callable(get_all) else params.get(name)
    if raw is None:
        return []
    items = [raw] if isinstance(raw, str) else list(raw)  # type: ignore[arg-type]
    return [str(i) for i in items]


#: Streamlit ignores a whole query string with more parameters, or characters, than this (and says
#: nothing to the page): ``streamlit.runtime.state.query_params.CLIENT_STATE_QUERY_STRING_MAX_*``.
MAX_QUERY_FIELDS = 1000
MAX_QUERY_CHARS = 512 * 1024


#: What is said of a link too long to apply; ``{size}`` is one of ``TOO_MANY``'s texts.
TOO_LONG_WORDS = (
    "This link has {size}, so the view opens without the link's filter. "
    "Choose fewer values (actors, regions, datasets) and copy the link again."
)
#: How a link is too long: by parameters (``{n}`` of them) or by characters.
TOO_MANY = {
    "fields": f"{{n}} parameters; the dashboard applies links of at most {MAX_QUERY_FIELDS:,}",
    "chars": f"{{n}} characters; the dashboard applies links of at most {MAX_QUERY_CHARS:,}",
}


def link_too_long(query: str | Mapping[str, object]) -> str | None:
    """Whether a link is too long for the dashboard to apply, and the words to say so.

    Streamlit drops a query string of more than ``MAX_QUERY_FIELDS`` parameters (or
    ``MAX_QUERY_CHARS`` characters) without a word, before the page's script runs, so
    the page opens unfiltered. The page checks every link it makes with this function,
    and the link it was opened with in the browser (``app.layout``'s script, with the
    same limits and words).

    Parameters
    ----------
    query : str or mapping
        The query string (with or without its ``?``), or parameters as ``to_query_params`` gives them.

    Returns
    -------
    str or None
        E.g. ``"This link has 1,200 parameters; the dashboard applies links of at most 1,000,
        so the view opens without the link's filter. Choose fewer values (actors, regions,
        datasets) and copy the link again."``; ``None`` when the link is fine.
    """
    if isinstance(query, str):
        text = query.removeprefix("?")
    else:
        names = list(query.keys())
        text = urlencode([(name, value) for name in names for value in _values(query, name)])
    if not text:
        return None
    fields = text.count("&") + 1
    if fields > MAX_QUERY_FIELDS:
        size = TOO_MANY["fields"].format(n=f"{fields:,}")
    elif len(text) > MAX_QUERY_CHARS:
        size = TOO_MANY["chars"].format(n=f"{len(text):,}")
    else:
        return None
    return TOO_LONG_WORDS.format(size=size)


def query_key(params: Mapping[str, object]) -> str:
    """A canonical text for a set of query parameters: same parameters and values, same text.

    Parameter order does not matter; the order of a repeated parameter's values does.
    """
    names = list(params.keys()) if hasattr(params, "keys") else list(params)
    pairs = [(name, value) for name in sorted(names) for value in _values(params, name)]
    return urlencode(pairs)


@dataclass(frozen=True)
class PageState:
    """What the URL holds.

    Attributes
    ----------
    spec : FilterSpec
        The filter.
    sources : tuple of str
        Keys of the datasets shown (see ``catalog.DatasetFile.key``); empty means the page's default.
    mode : str
        The map drawing, one of ``viewport.PAGE_MODES``.
    """

    spec: FilterSpec = field(default_factory=FilterSpec)
    sources: tuple[str, ...] = ()
    mode: str = "auto"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {list(MODES)}, got {self.mode!r}")
        object.__setattr__(self, "sources", tuple(dict.fromkeys(s for s in self.sources if s)))

    def to_query_params(self, default_sources: Sequence[str] = ()) -> dict[str, str | list[str]]:
        """The state as query parameters, defaults left out (for ``st.query_params.from_dict``)."""
        return page_query(self.spec, self.sources, self.mode, default_sources)

    @classmethod
    def from_query_params(
        cls, params: Mapping[str, object], default_sources: Iterable[str] = ()
    ) -> tuple[PageState, list[str]]:
        """Read the state from query parameters, keeping what is usable.

        Parameters
        ----------
        params : mapping
            Parameter -> value or values (``st.query_params`` is read through its ``get_all``).
        default_sources : iterable of str
            The datasets shown when the link names none.

        Returns
        -------
        (PageState, list of str)
            The state, and one message per parameter that was left out, naming it and its value.
        """
        problems: list[str] = []
        try:
            spec = FilterSpec.from_query_params(params)
        except FilterError:
            # Read the parameters one at a time, so a bad one costs only itself.
            kept: dict[str, list[str]] = {}
            for param in QUERY_PARAMS.values():
                values = _values(params, param)
                if not values:
                    continue
                try:
                    FilterSpec.from_query_params({param: values})
                except FilterError as exc:
                    problems.append(str(exc))
                    continue
                kept[param] = values
            try:
                spec = FilterSpec.from_query_params(kept)
            except FilterError as exc:
                # Each parameter is fine alone but not together (e.g. from after to).
                problems.append(str(exc))
                spec = FilterSpec.from_query_params(
                    {k: v for k, v in kept.items() if k not in (QUERY_PARAMS["date_from"], QUERY_PARAMS["date_to"])}
                )
        sources = tuple(_values(params, SOURCE_PARAM)) or tuple(default_sources)
        mode_values = _values(params, VIEW_PARAM)
        mode = "auto"
        if mode_values:
            if len(mode_values) == 1 and mode_values[0] in MODES:
                mode = mode_values[0]
            else:
                problems.append(f"query parameter {VIEW_PARAM!r} has {mode_values!r}; expected one of {list(MODES)}")
        return cls(spec, sources, mode), problems

    def replace(self, **changes: object) -> PageState:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]
