"""The page's look: the title and the styles that put the map first."""

from __future__ import annotations

import streamlit as st


def style() -> None:
    """Styles of the page (none yet beyond Streamlit's)."""


def title() -> None:
    """The page's title."""
    st.title("Conflict events")
