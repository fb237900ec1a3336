"""How messages quote values from the input: briefly, whatever the input holds.

Every reader, store and filter message that repeats a value from a file, a link
or the command line passes it through ``quote``, so a 10 MB cell gives a line
of about 200 characters, not a 10 MB message.
"""

from __future__ import annotations

#: At most this many characters of any one value appear in a message.
QUOTE_CHARS = 200


def shorten(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` cut to about ``limit`` characters, saying how long it was.

    Parameters
    ----------
    text : str
        Any text.
    limit : int
        Characters kept.

    Returns
    -------
    str
        ``text`` itself when short enough, else its start, an ellipsis and its length,
        e.g. ``"aaaa… (10,000,000 characters)"``.
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def quote(value: object, limit: int = QUOTE_CHARS) -> str:
    """``repr(value)`` for a message, at most about ``limit`` characters of it.

    Parameters
    ----------
    value : object
        The value to name; long strings are cut before ``repr`` is taken, so
        quoting a huge value costs no more than quoting a short one.
    limit : int
        Characters kept.

    Returns
    -------
    str
        E.g. ``"'abc'"``, or ``"'aaaa…' (10,000,000 characters)"``.
    """
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}… ({len(value):,} characters)"
    if isinstance(value, bytes) and len(value) > limit:
        return f"{value[:limit]!r}… ({len(value):,} bytes)"
    text = repr(value)
    return shorten(text, limit)
