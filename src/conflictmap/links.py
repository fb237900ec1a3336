"""Links to a view of the dashboard: the query parameters its URL carries.

The page (``pagelink.PageState``) and the exports' provenance (the CLI's
``snapshot`` and ``export``) write the same links from here, so a link in an
exported file reopens the same view without the command line loading any page
code. The filter travels as ``FilterSpec.to_query_params`` writes it; ``src``
(repeated) names the datasets shown when they are not the page's default, and
``view`` the map drawing when it is not ``auto``.
"""

from __future__ import annotations

from collections.abc import Sequence

from conflictmap.filters import FilterSpec

SOURCE_PARAM = "src"
VIEW_PARAM = "view"


def page_query(
    spec: FilterSpec, sources: Sequence[str] = (), mode: str = "auto", default_sources: Sequence[str] = ()
) -> dict[str, str | list[str]]:
    """The query parameters of the dashboard URL that shows this view, defaults left out.

    Parameters
    ----------
    spec : FilterSpec
        The filter.
    sources : sequence of str
        Keys of the datasets shown (file names in the data folder); empty for the page's default.
    mode : str, default "auto"
        The map drawing: ``auto``, ``points``, ``clusters`` or ``density``.
    default_sources : sequence of str
        The datasets the page shows when its URL names none; ``sources`` equal to them are left out.

    Returns
    -------
    dict
        Parameter -> value, or list of values for a repeated one.
    """
    out = spec.to_query_params()
    kept = list(dict.fromkeys(s for s in sources if s))
    if kept and kept != list(default_sources):
        out[SOURCE_PARAM] = kept
    if mode != "auto":
        out[VIEW_PARAM] = mode
    return out
