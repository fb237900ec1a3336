"""Credentials for the APIs: from the settings (environment variables) or asked for, held in memory only.

Nothing here writes them anywhere: ``Credentials`` does not show its secrets
in ``repr`` (so a traceback or a log line cannot carry them), and the fetch
keeps them only for the requests that need them.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass, field

from conflictmap import settings
from conflictmap.fetch.http import AuthError

#: ``ask(prompt, secret)`` -> the answer; ``secret`` answers are not echoed.
Ask = Callable[[str, bool], str]


@dataclass(frozen=True)
class Credentials:
    """What a service needs: ACLED's account e-mail and password, or UCDP's access token."""

    email: str = ""
    password: str = field(default="", repr=False)
    token: str = field(default="", repr=False)

    def secrets(self) -> tuple[str, ...]:
        """The secret values (for checks that they appear nowhere)."""
        return tuple(s for s in (self.password, self.token) if s)


def terminal_ask(prompt: str, secret: bool) -> str:
    """Ask on the terminal; secrets are typed without echo."""
    return getpass.getpass(prompt) if secret else input(prompt)


#: Per source: (field, setting, prompt, secret) of each credential it needs.
NEEDED: dict[str, tuple[tuple[str, str, str, bool], ...]] = {
    "acled": (
        ("email", "CONFLICTMAP_ACLED_EMAIL", "myACLED e-mail: ", False),
        ("password", "CONFLICTMAP_ACLED_PASSWORD", "myACLED password: ", True),
    ),
    "ucdp": (("token", "CONFLICTMAP_UCDP_TOKEN", "UCDP API access token: ", True),),
}


def missing_credentials(source: str) -> list[tuple[str, str, bool]]:
    """What the settings lack for ``source``: ``(field, label, secret)`` for a form to ask (the page).

    Raises
    ------
    ValueError
        On an unknown source.
    """
    if source not in NEEDED:
        raise ValueError(f"unknown source {source!r}; expected 'acled' or 'ucdp'")
    return [
        (name, prompt.rstrip(": "), secret)
        for name, setting, prompt, secret in NEEDED[source]
        if not settings.get(setting).strip()
    ]


def credentials_for(source: str, ask: Ask | None = None, given: dict[str, str] | None = None) -> Credentials:
    """The credentials ``source`` needs: ``given``, then the settings, then ``ask`` for what is missing.

    Parameters
    ----------
    source : {"acled", "ucdp"}
    ask : callable, optional
        Asked for each missing value; without it a missing value is an error.
    given : dict, optional
        Values a form collected (``email``, ``password``, ``token``); they win over the settings.

    Raises
    ------
    AuthError
        Naming the settings to set when a value is missing and there is no one to ask.
    ValueError
        On an unknown source.
    """
    if source not in NEEDED:
        raise ValueError(f"unknown source {source!r}; expected 'acled' or 'ucdp'")
    values: dict[str, str] = {}
    for name, setting, prompt, secret in NEEDED[source]:
        value = ((given or {}).get(name) or "").strip() or settings.get(setting).strip()
        if not value and ask is not None:
            value = ask(prompt, secret).strip()
        if not value:
            raise AuthError(
                f"no {name} for {source.upper()}: set {setting} or run the command in a terminal to be asked"
            )
        values[name] = value
    return Credentials(**values)
