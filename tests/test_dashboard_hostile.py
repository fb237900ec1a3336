"""Markdown injection: no string that did not come from the code reaches the page as live markdown.

Every user-reachable string (a link's parameters, a CSV's header, an uploaded
file's name, an article's title and site name, messages quoting them) is drawn
with markdown's syntax escaped: no image the browser would fetch, no live link.
"""

from __future__ import annotations

import re

import pytest
from conftest import SEED_EVENTS
from pagetools import make_page, plain
from streamlit.testing.v1 import AppTest

IMAGE = "![p](http://127.0.0.1:9/p.png)"
LINK = "[Click](http://127.0.0.1:9/)"
PAYLOAD = f"{IMAGE} {LINK}"
# Proto types whose text is not markdown: plain text, code, and the HTML the page makes itself (escaped there).
PLAIN_TYPES = {"Text", "Code", "Html", "Dataframe", "ComponentInstance", "VegaLiteChart", "ArrowNamedDataSet"}
# Unescaped markdown that fetches or links: an image, a link, raw HTML, a bare URL.
LIVE = re.compile(r"(?<!\\)(!\[|\]\(|<img|<a |(?<![\\\w])https?(?<!\\):)")


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def markdown_texts(at: AppTest) -> list[str]:
    """Every text the page hands Streamlit as markdown: bodies, labels, help, captions, alerts, toasts."""
    found = []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or type(proto).__name__ in PLAIN_TYPES:
            continue
        for field, value in proto.ListFields():
            if field.name in ("body", "label", "help", "text") and isinstance(value, str):
                found.append(value)
    return found


def assert_no_live_markdown(at: AppTest, must_show: str | None = None) -> None:
    assert not at.exception, at.exception
    texts = markdown_texts(at)
    live = [t for t in texts if LIVE.search(t)]
    assert live == []
    if must_show is not None:
        # The string is shown, as typed, once escaped.
        assert any(must_show in plain(t) for t in texts), texts


def page(monkeypatch, **kwargs) -> AppTest:
    return make_page(monkeypatch, **kwargs)


@pytest.mark.parametrize("name", ["q", "actor", "region", "dataset", "view", "minfat", "src", "type", "from"])
def test_link_parameters_reach_the_page_as_text(monkeypatch, name):
    at = page(monkeypatch, query={name: PAYLOAD}).run()
    assert_no_live_markdown(at)


def test_the_search_word_is_shown_as_typed(monkeypatch):
    at = page(monkeypatch, query={"q": PAYLOAD}).run()
    assert_no_live_markdown(at, must_show=PAYLOAD)


def test_csv_headers_and_file_names_reach_the_page_as_text(monkeypatch):
    at = page(monkeypatch).run()
    content = f"{IMAGE},{LINK}\n1,2\n".encode()
    at.file_uploader(key="uploader").upload(f"{IMAGE}.csv", content, "text/csv")
    at.run()
    assert_no_live_markdown(at)
    assert at.sidebar.error, "the file is refused, with a message"


def test_an_uploaded_file_with_a_hostile_name_and_values(monkeypatch, tmp_path):
    at = page(monkeypatch).run()
    rows = SEED_EVENTS.read_text().splitlines()
    rows[1] = rows[1].replace("SEED-0001", "[x](http://127.0.0.1:9/)", 1)
    # A browser sends the name's last path part: no slash.
    name = "![p](p.png) [Click](x) _events_.csv"
    at.file_uploader(key="uploader").upload(name, "\n".join(rows).encode(), "text/csv")
    at.run()
    assert_no_live_markdown(at, must_show=name)
    at.session_state["panel"] = "Datasets and import reports"
    at.run()
    assert_no_live_markdown(at)


def test_a_data_file_named_with_markdown(monkeypatch, tmp_path):
    bad = tmp_path / f"{IMAGE.replace('/', '_')}.csv"
    bad.write_text("colour,size\nred,3\n")
    at = page(monkeypatch, data=bad).run()
    assert_no_live_markdown(at)
    assert at.error


def test_an_article_title_and_site_name_reach_the_page_as_text(monkeypatch, tmp_path):
    monkeypatch.setenv("CONFLICTMAP_STORE", str(tmp_path / "events.gpkg"))
    monkeypatch.delenv("CONFLICTMAP_DB", raising=False)
    at = page(monkeypatch)
    at.session_state["panel"] = "Article review"
    at.run()
    html = (
        f'<html lang="en"><head><title>{IMAGE}</title><meta property="og:site_name" content="{LINK}">'
        '<meta property="article:published_time" content="2023-09-07"></head><body><article>'
        "<p>Gunmen killed 3 civilians in Gao on Monday, local sources said.</p></article></body></html>"
    )
    at.file_uploader(key="rv_file").upload("article.html", html.encode(), "text/html")
    at.button(key="rv_extract").click().run()
    assert_no_live_markdown(at, must_show=LINK)
