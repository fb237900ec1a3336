"""The page's look: map first.

The headline takes one row above the map; the map and the details beside it
take the viewport's height less what sits above them and the top of the
timeline, so from 1280×720 up the map is the page's main element and the
timeline starts in view. Streamlit sizes a component's frame in pixels; the
styles here size the map's frame from the viewport instead (``MAP_VH``), and
the map inside it follows its frame (``livemap.FillFrame``).
"""

from __future__ import annotations

import json
from string import Template

import streamlit as st

from conflictmap.pagelink import MAX_QUERY_CHARS, MAX_QUERY_FIELDS, TOO_LONG_WORDS, TOO_MANY

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


# Streamlit drops a query string over its limits before the script runs, so only the browser knows the link
# it was opened with: the navigation's own address, which the page's later changes to the URL leave alone.
_LINK_TOO_LONG = Template("""
<script>
(function () {
  var doc = document;
  if (doc.cmLinkChecked) { return; }
  doc.cmLinkChecked = true;
  var nav = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
  var query = new URL(nav ? nav.name : location.href).search.replace(/^\\?/, "");
  if (!query) { return; }
  var fields = query.split("&").length, size = null, many = $many;
  if (fields > $fields) {
    size = many.fields.replace("{n}", fields.toLocaleString("en-US"));
  } else if (query.length > $chars) {
    size = many.chars.replace("{n}", query.length.toLocaleString("en-US"));
  }
  if (size === null) { return; }
  var box = doc.createElement("div");
  box.setAttribute("role", "alert");
  box.className = "cm-link-too-long";
  box.textContent = $words.replace("{size}", size);
  var close = doc.createElement("button");
  close.type = "button";
  close.textContent = "\u00d7";
  close.setAttribute("aria-label", "Dismiss");
  close.addEventListener("click", function () { box.remove(); });
  box.appendChild(close);
  doc.body.appendChild(box);
})();
</script>
<style>
  .cm-link-too-long {
    position: fixed; top: 3.75rem; left: 50%; transform: translateX(-50%); z-index: 1000000;
    max-width: min(44rem, 90vw); padding: 0.75rem 2.5rem 0.75rem 1rem; border-radius: 0.5rem;
    background: #fffce7; color: #926c05; border: 1px solid #f0d990; font: 0.95rem/1.4 sans-serif;
    box-shadow: 0 2px 8px rgba(0, 0, 0, 0.15);
  }
  .cm-link-too-long button {
    position: absolute; top: 0.35rem; right: 0.5rem; border: 0; background: none; color: inherit;
    font-size: 1.25rem; cursor: pointer;
  }
</style>
""").substitute(
    many=json.dumps(TOO_MANY), fields=MAX_QUERY_FIELDS, chars=MAX_QUERY_CHARS, words=json.dumps(TOO_LONG_WORDS)
)


def style() -> None:
    """The page's styles (an invisible element)."""
    st.html(_STYLE)


def scripts() -> None:
    """Enter applying a typed date, and a word on a link too long to apply: last on the page, where the
    element's gap shows nowhere."""
    st.html(_ENTER_COMMITS_DATES + _LINK_TOO_LONG, unsafe_allow_javascript=True)


def title() -> None:
    """The page's title."""
    st.title("Conflict events")
