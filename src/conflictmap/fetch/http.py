"""One HTTP request with retries: back-off on 429 and 5xx, ``Retry-After`` honoured, failures in words.

Only the standard library is used (``urllib``), so fetching needs nothing
installed beyond the dashboard. Messages name the service and what it
answered, never a credential: tokens travel in headers and the password in a
form body, and neither is ever put into a message or a log record.
"""

from __future__ import annotations

import email.utils
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from conflictmap import settings
from conflictmap.errors import ConflictmapError

LOG = logging.getLogger("conflictmap.fetch")

#: Answers worth asking again: too many requests, and the server's own troubles.
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
#: The longest wait between two tries, whatever ``Retry-After`` asks (a day-long ban is a failure, not a wait).
MAX_WAIT_S = 300.0
_TIMEOUT_S = 60.0
_MAX_BODY_SHOWN = 200


class FetchError(ConflictmapError):
    """A download cannot go on; the message says what the service answered and what to do."""


class AuthError(FetchError):
    """The service refused the credentials (wrong, expired, or no API access for the account)."""


@dataclass
class Reply:
    """What a service answered: status, headers, body."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def text(self) -> str:
        """The body as text (UTF-8, undecodable bytes replaced)."""
        return self.body.decode("utf-8", errors="replace")

    def json(self, what: str) -> object:
        """The body as JSON.

        Raises
        ------
        FetchError
            Naming ``what`` (e.g. "page 3 of the ACLED reply") and the start of the body.
        """
        try:
            return json.loads(self.body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            start = " ".join(self.text()[:_MAX_BODY_SHOWN].split())
            raise FetchError(f"{what} is not JSON ({exc.msg} at character {exc.pos}); it starts {start!r}") from None


def _float_setting(name: str, low: float, high: float) -> float:
    return settings.number(name, lambda value: low <= value <= high, f"a number from {low:g} to {high:g}")


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (seconds or an HTTP date); ``None`` if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass
class Http:
    """Sends requests and retries the ones a service refused for now.

    Parameters
    ----------
    service : str
        Named in messages ("ACLED", "UCDP").
    backoff_s : float, optional
        First wait before a retry, doubled each time; default ``CONFLICTMAP_FETCH_BACKOFF_S``.
    retries : int, optional
        Retries of one request; default ``CONFLICTMAP_FETCH_RETRIES``.
    sleep : callable
        Waits that many seconds (tests record the waits instead).
    on_wait : callable, optional
        Told, in words, when a request is retried and after how long.
    """

    service: str
    backoff_s: float | None = None
    retries: int | None = None
    timeout_s: float = _TIMEOUT_S
    sleep: Callable[[float], None] = time.sleep
    on_wait: Callable[[str], None] | None = None
    waits: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.backoff_s is None:
            self.backoff_s = _float_setting("CONFLICTMAP_FETCH_BACKOFF_S", 0, 600)
        if self.retries is None:
            self.retries = int(_float_setting("CONFLICTMAP_FETCH_RETRIES", 0, 100))

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, object] | None = None,
        headers: Mapping[str, str] | None = None,
        form: Mapping[str, str] | None = None,
        what: str = "the request",
        ok: tuple[int, ...] = (200,),
    ) -> Reply:
        """Send one request, retrying on 429 and 5xx; returns replies with a status in ``ok`` or 4xx other than 429.

        Raises
        ------
        FetchError
            When the service cannot be reached, or still refuses after the retries.
        """
        if params:
            url = url + ("&" if "?" in url else "?") + urllib.parse.urlencode({k: str(v) for k, v in params.items()})
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        all_headers = {"Accept": "application/json", "User-Agent": "conflictmap"}
        all_headers.update(headers or {})
        if data is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        shown = urllib.parse.urlsplit(url)
        where = f"{shown.scheme}://{shown.netloc}{shown.path}"
        attempt = 0
        while True:
            reply = self._send(method, url, data, all_headers)
            tried = f" after {attempt + 1} tries" if attempt else ""
            if isinstance(reply, str):
                # The connection failed (dropped, timed out): worth another try, like a 503.
                if attempt >= (self.retries or 0):
                    raise FetchError(f"cannot reach {self.service} at {where} for {what}{tried}: {reply}")
                answer, asked = f"no answer ({reply})", None
            else:
                if reply.status in ok or (400 <= reply.status < 500 and reply.status != 429):
                    return reply
                if reply.status not in RETRY_STATUS or attempt >= (self.retries or 0):
                    raise FetchError(
                        f"{self.service} answered {reply.status} to {what}{tried}: {_gist(reply)}; try again later"
                    )
                answer, asked = f"answered {reply.status}", retry_after(reply.headers.get("Retry-After"))
            wait = asked if asked is not None else (self.backoff_s or 0) * (2**attempt)
            if wait > MAX_WAIT_S:
                raise FetchError(f"{self.service} asks to wait {wait:.0f} s before {what} ({answer}); try again later")
            attempt += 1
            message = f"{self.service} {answer} to {what}; asking again in {wait:g} s"
            LOG.info(message)
            if self.on_wait:
                self.on_wait(message)
            self.waits.append(wait)
            self.sleep(wait)

    def _send(self, method: str, url: str, data: bytes | None, headers: dict[str, str]) -> Reply | str:
        """The reply, or why there was none (a connection that failed)."""
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
                return Reply(resp.status, dict(resp.headers.items()), resp.read())
        except urllib.error.HTTPError as exc:
            body = exc.read() if exc.fp is not None else b""
            return Reply(exc.code, dict(exc.headers.items()) if exc.headers else {}, body)
        except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as exc:
            return str(getattr(exc, "reason", exc))


def _gist(reply: Reply) -> str:
    """What a refusal said: a JSON ``message``/``error``, else the start of the body."""
    try:
        data = json.loads(reply.body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        data = None
    if isinstance(data, Mapping):
        for key in ("message", "error_description", "error", "messages"):
            if data.get(key):
                return " ".join(str(data[key]).split())[:_MAX_BODY_SHOWN]
    text = " ".join(reply.text().split())[:_MAX_BODY_SHOWN]
    return text or "(no message)"


gist = _gist
