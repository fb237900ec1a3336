"""ACLED's API as documented in 2025 (OAuth; ``acleddata.com/api``): tokens, pages of events, deletions.

- Token: ``POST {base}/oauth/token`` with the form ``username``, ``password``,
  ``grant_type=password``, ``client_id=acled``; the answer holds
  ``access_token`` (valid 24 hours), ``refresh_token`` (14 days) and
  ``expires_in``. A refused or expired access token (401) is refreshed with
  ``grant_type=refresh_token``; when the refresh is refused too, the password
  grant is asked again (the password is held in memory for the run).
- Events: ``GET {base}/api/acled/read?_format=json&country=...&population=full&limit=5000&page=N``
  with ``Authorization: Bearer <token>``; pages count from 1 and the last one
  holds fewer than ``limit`` rows. The reply is
  ``{"status": 200, "success": true, "count": N, "data": [...]}``.
- Changes since a time: ``timestamp=<Unix seconds>&timestamp_where=>=``.
- Deletions: ``GET {base}/api/deleted/read?_format=json&deleted_timestamp=<Unix
  seconds>&deleted_timestamp_where=>=`` gives ``event_id_cnty`` and
  ``deleted_timestamp`` for every event ACLED removed since then.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from conflictmap import settings
from conflictmap.fetch.credentials import Credentials
from conflictmap.fetch.http import AuthError, FetchError, Http, gist

#: Rows per page: ACLED's largest (and default) page.
PAGE_SIZE = 5000
CLIENT_ID = "acled"
#: Refresh this long before the access token runs out.
_EARLY_S = 60.0


@dataclass
class Page:
    """One page of a reply: its number, its rows, whether it is the last, how many pages in all (when told)."""

    number: int
    rows: list[dict[str, object]]
    last: bool
    total_pages: int | None = None


@dataclass
class AcledApi:
    """Talks to ACLED's API with one account.

    Parameters
    ----------
    credentials : Credentials
        ``email`` and ``password``.
    http : Http, optional
        Default ``Http("ACLED")`` (retries from the settings).
    base_url : str, optional
        Default ``CONFLICTMAP_ACLED_URL``.
    page_size : int
        Rows per page (``limit``); default ``CONFLICTMAP_FETCH_PAGE_SIZE`` or the largest, 5000.
    """

    credentials: Credentials
    http: Http | None = None
    base_url: str | None = None
    page_size: int | None = None
    _access: str | None = field(default=None, repr=False)
    _refresh: str | None = field(default=None, repr=False)
    _expires_at: float = 0.0
    token_requests: int = 0

    def __post_init__(self) -> None:
        self.http = self.http or Http("ACLED")
        self.base_url = (self.base_url or settings.get("CONFLICTMAP_ACLED_URL")).rstrip("/")
        self.page_size = self.page_size or settings.page_size(PAGE_SIZE)

    # ------------------------------------------------------------ tokens

    def _token_reply(self, form: Mapping[str, str], what: str) -> bool:
        self.token_requests += 1
        reply = self.http.request("POST", f"{self.base_url}/oauth/token", form=form, what=what)
        if reply.status != 200:
            return False
        data = reply.json(f"ACLED's answer to {what}")
        if not isinstance(data, Mapping) or not data.get("access_token"):
            raise FetchError(f"ACLED's answer to {what} holds no access_token")
        self._access = str(data["access_token"])
        self._refresh = str(data["refresh_token"]) if data.get("refresh_token") else None
        try:
            lifetime = float(data.get("expires_in") or 86_400)
        except (TypeError, ValueError):
            lifetime = 86_400.0
        self._expires_at = time.monotonic() + lifetime
        return True

    def _login(self) -> None:
        form = {
            "username": self.credentials.email,
            "password": self.credentials.password,
            "grant_type": "password",
            "client_id": CLIENT_ID,
        }
        if not self._token_reply(form, "the log-in (OAuth password grant)"):
            raise AuthError(
                f"ACLED refused the log-in for {self.credentials.email}: check CONFLICTMAP_ACLED_EMAIL and "
                "CONFLICTMAP_ACLED_PASSWORD, and that the account has API access and has accepted ACLED's terms"
            )

    def _renew(self) -> None:
        """A new access token: from the refresh token, else by logging in again."""
        if self._refresh:
            form = {"refresh_token": self._refresh, "grant_type": "refresh_token", "client_id": CLIENT_ID}
            if self._token_reply(form, "the token refresh"):
                return
        self._login()

    def _bearer(self) -> str:
        if self._access is None:
            self._login()
        elif time.monotonic() > self._expires_at - _EARLY_S:
            self._renew()
        return f"Bearer {self._access}"

    # ------------------------------------------------------------ reading

    def get(self, path: str, params: Mapping[str, object], what: str) -> object:
        """One authorised GET of ``path`` as JSON; an expired token is renewed once.

        Raises
        ------
        AuthError
            When ACLED refuses the request with a fresh token too.
        FetchError
            When the answer is not an ACLED reply (not JSON, ``success`` false, no ``data`` list).
        """
        url = f"{self.base_url}{path}"
        reply = self.http.request("GET", url, params=params, headers={"Authorization": self._bearer()}, what=what)
        if reply.status == 401:
            self._renew()
            reply = self.http.request("GET", url, params=params, headers={"Authorization": self._bearer()}, what=what)
        if reply.status in (401, 403):
            raise AuthError(
                f"ACLED refused {what} ({reply.status}: {gist(reply)}); check that the account has API access"
            )
        if reply.status != 200:
            raise FetchError(f"ACLED answered {reply.status} to {what}: {gist(reply)}")
        data = reply.json(what)
        if not isinstance(data, Mapping) or not isinstance(data.get("data"), list):
            raise FetchError(f"{what} is not an ACLED reply: expected an object with a 'data' list")
        if data.get("success") is False or (data.get("status") not in (None, 200, "200")):
            messages = data.get("messages") or data.get("error") or "no message"
            raise FetchError(f"ACLED reported a failure for {what}: {messages}")
        return data

    def _pages(self, path: str, params: dict[str, object], start: int, label: str) -> Iterator[Page]:
        number = start
        while True:
            what = f"page {number} of {label}"
            data = self.get(path, {**params, "limit": self.page_size, "page": number}, what)
            rows = data["data"]
            bad = next((i for i, r in enumerate(rows) if not isinstance(r, Mapping)), None)
            if bad is not None:
                raise FetchError(f"{what}: row {bad + 1} is not an object of columns")
            yield Page(number, [dict(r) for r in rows], last=len(rows) < self.page_size)
            if len(rows) < self.page_size:
                return
            number += 1

    def events(self, country: str, since: int | None = None, start: int = 1) -> Iterator[Page]:
        """Pages of ACLED events for ``country``, from page ``start``; only those changed since ``since`` if given.

        Parameters
        ----------
        country : str
            ACLED's country name (``Mali``).
        since : int, optional
            Unix seconds: events added or changed at or after (ACLED's ``timestamp`` filter).
        start : int
            First page to ask for (a resumed download skips the pages it has).
        """
        # population=full gives the population columns the export tool writes (the readers carry them).
        params: dict[str, object] = {"_format": "json", "country": country, "population": "full"}
        if since is not None:
            params |= {"timestamp": int(since), "timestamp_where": ">="}
        return self._pages("/api/acled/read", params, start, f"the ACLED events of {country}")

    def deleted(self, since: int, start: int = 1) -> Iterator[Page]:
        """Pages of the events ACLED deleted at or after ``since`` (Unix seconds).

        Each row holds ``event_id_cnty`` and ``deleted_timestamp``.
        """
        params: dict[str, object] = {
            "_format": "json",
            "deleted_timestamp": int(since),
            "deleted_timestamp_where": ">=",
        }
        return self._pages("/api/deleted/read", params, start, "ACLED's deleted events")
