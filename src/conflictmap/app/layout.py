"""The page's look: map first.

The headline takes one row above the map; the map and the details beside it
take the viewport's height less what sits above them and the top of the
timeline, so from 1280×720 up the map is the page's main element and the
timeline starts in view. Streamlit sizes a component's frame in pixels; the
styles here size the map's frame from the viewport instead (``MAP_VH``), and
the map inside it follows its frame (``livemap.FillFrame``).
"""

from __future__ import annotations

import streamlit as st

#: The map's height: the viewport less the page's top, the headline row and the timeline's heading.
MAP_HEIGHT_CSS = "max(360px, calc(100vh - 250px))"
MAP_BOX, DETAILS_BOX, HEADLINE_BOX = "mapbox", "details", "headline"

_STYLE = f"""
<style>
  [data-testid="stMainBlockContainer"] {{ padding: 2.25rem 1.25rem 2rem 1.25rem; max-width: 100%; }}
  [data-testid="stMainBlockContainer"] h1 {{ font-size: 1.45rem; padding: 0.1rem 0 0 0; line-height: 1.2; }}
  .st-key-{HEADLINE_BOX} [data-testid="stMetric"] {{ padding: 0; }}
  .st-key-{HEADLINE_BOX} [data-testid="stMetricValue"] {{ font-size: 1.35rem; line-height: 1.3; }}
  .st-key-{HEADLINE_BOX} [data-testid="stMetricLabel"] {{ min-height: 0; }}
  .st-key-{HEADLINE_BOX} [data-testid="stMetricDelta"] {{ font-size: 0.8rem; }}
  .st-key-{MAP_BOX} iframe {{ height: {MAP_HEIGHT_CSS} !important; }}
  /* In the column's flexbox a height holds only for an item that does not flex. */
  .st-key-{DETAILS_BOX} {{
    flex: none !important; height: {MAP_HEIGHT_CSS} !important; overflow-y: auto; flex-wrap: nowrap;
  }}
</style>
"""


# A typed date applies when its field loses the focus; Enter, as in every other field, makes it lose it.
_ENTER_COMMITS_DATES = """
<script>
(function () {
  var doc = document;
  if (doc.cmEnterCommitsDates) { return; }
  doc.cmEnterCommitsDates = true;
  doc.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && target && target.closest && target.closest('[data-testid="stDateInput"]')) {
      // The field applies what was typed when the user interacts outside it: say so, as a click would.
      target.blur();
      ["pointerdown", "mousedown", "pointerup", "mouseup", "click"].forEach(function (type) {
        var Kind = type.indexOf("pointer") === 0 && window.PointerEvent ? PointerEvent : MouseEvent;
        doc.body.dispatchEvent(new Kind(type, {bubbles: true, cancelable: true, isPrimary: true, button: 0}));
      });
    }
  }, true);
})();
</script>
"""


def style() -> None:
    """The page's styles (an invisible element)."""
    st.html(_STYLE)


def scripts() -> None:
    """Enter applying a typed date: last on the page, where the element's gap shows nowhere."""
    st.html(_ENTER_COMMITS_DATES, unsafe_allow_javascript=True)


def title() -> None:
    """The page's title."""
    st.title("Conflict events")
