"""Text that did not come from the code, made safe for Streamlit's markdown.

Captions, alerts, toasts, labels and ``st.markdown`` read their text as
markdown: a search word such as ``![p](http://host/p.png)`` taken from a link
would make the visitor's browser fetch that image, and ``[Click](http://host/)``
would be a live link. ``md_escape`` turns every such string into plain text
that markdown shows as typed.
"""

from __future__ import annotations

import re

# Everything markdown (CommonMark, GFM, Streamlit's own ``:color[...]`` and ``$math$``) reads as syntax
# anywhere in a line. ``.``, ``-`` and parentheses only matter at a line's start or after ``]``.
_INLINE = re.compile(r"([\\`*_\[\]<>$~|#{}!])")
# GFM links bare URLs and e-mail addresses in the text *after* escapes are read (``http\\://`` is still a
# link), so a word joiner (U+2060, invisible) goes between ``http`` and ``:``, ``www`` and ``.``, and before ``@``.
_AUTOLINK = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=ftp)(?=:)|(?<=mailto)(?=:)|(?<=www)(?=\.)|(?=@)")
JOINER = "\u2060"
# Text starting like a list item, a setext underline or ``1.``.
_START = re.compile(r"^(\s*(?:\d+)?)([-+=.)])")


def md_escape(value: object) -> str:
    """``value`` as text that Streamlit's markdown shows literally: no link, image, emphasis, HTML or math.

    Parameters
    ----------
    value : object
        Any value; ``str(value)`` is escaped.

    Returns
    -------
    str
        The text with markdown's syntax characters backslash-escaped, and an invisible word joiner
        in each bare URL or e-mail address.

    Examples
    --------
    >>> print(md_escape("![p](p.png)"))
    \\!\\[p\\](p.png)
    """
    # A data string is one line of text: a line break could start a list or a heading.
    text = str(value).replace("\r", " ").replace("\n", " ")
    text = _INLINE.sub(r"\\\1", text)
    text = _AUTOLINK.sub(JOINER, text)
    return _START.sub(r"\1\\\2", text)
