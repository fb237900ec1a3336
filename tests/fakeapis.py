"""Local stand-ins for ACLED's and UCDP's APIs, answering as their documentation describes.

One ``FakeApis`` server on 127.0.0.1 answers both:

- ACLED (2025 OAuth API): ``POST /oauth/token`` (password and refresh-token
  grants, client ``acled``), ``GET /api/acled/read`` and
  ``GET /api/deleted/read`` (``_format=json``, ``limit``, ``page`` from 1,
  ``country``, ``timestamp``/``timestamp_where``, ``deleted_timestamp``/
  ``deleted_timestamp_where``) behind ``Authorization: Bearer``; replies
  ``{"status", "success", "last_update", "count", "messages", "data"}``.
- UCDP: ``GET /api/gedevents/<version>`` (``pagesize``, ``page`` from 0,
  ``Country``) behind ``x-ucdp-access-token``; replies ``{"TotalCount",
  "TotalPages", "PreviousPageUrl", "NextPageUrl", "Result"}``.

Tests change what it holds (``acled_events``, ``acled_deleted``,
``ucdp_events``), expire the access token, and queue faults for a given
request (a 429 with ``Retry-After``, a 503, a malformed page, a hang until
released). Every request is logged. The rows are invented.
"""

from __future__ import annotations

import json
import math
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EMAIL = "analyst@example.org"
PASSWORD = "pw-Zq81-never-stored"
UCDP_TOKEN = "ucdp-tok-77Xv-never-stored"
ACLED_MAX_PAGE = 5000


def acled_row(n: int, *, country: str = "Mali", timestamp: int = 1_714_600_000, **values: object) -> dict[str, object]:
    """An invented event in ACLED's API layout (inter1/inter2 as text labels, as the API gives them by default)."""
    iso = {"Mali": 466, "Niger": 562}.get(country, 0)
    row: dict[str, object] = {
        "event_id_cnty": f"{ {'Mali': 'MLI', 'Niger': 'NER'}.get(country, country[:3].upper()) }{n}",
        "event_date": f"2024-{1 + n % 12:02d}-{1 + n % 27:02d}",
        "year": "2024",
        "time_precision": "1",
        "disorder_type": "Political violence",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "actor1": "Military Forces of Mali (2021-)",
        "assoc_actor_1": "",
        "inter1": "State forces",
        "actor2": "Invented armed group",
        "assoc_actor_2": "",
        "inter2": "Rebel group",
        "interaction": "State forces-Rebel group",
        "civilian_targeting": "",
        "iso": str(iso),
        "region": "Western Africa",
        "country": country,
        "admin1": "Gao",
        "admin2": "Gao",
        "admin3": "Gao",
        "location": "Gao",
        "latitude": f"{16.2 + (n % 50) / 100:.4f}",
        "longitude": f"{-0.04 + (n % 40) / 100:.4f}",
        "geo_precision": "1",
        "source": "Invented Source",
        "source_scale": "National",
        "notes": f"Invented event number {n}.",
        "fatalities": str(n % 5),
        "tags": "",
        "timestamp": str(timestamp),
    }
    row.update({k: str(v) for k, v in values.items()})
    return row


def ucdp_row(n: int, *, country_id: int = 432, best: int = 3, **values: object) -> dict[str, object]:
    """An invented GED event as UCDP's API gives it (numbers as numbers, dates with a time)."""
    row: dict[str, object] = {
        "id": 900_000 + n,
        "relid": f"MLI-2024-1-{n}",
        "year": 2024,
        "active_year": True,
        "code_status": "Clear",
        "type_of_violence": 1 + n % 3,
        "conflict_dset_id": "11347",
        "conflict_new_id": 11347,
        "conflict_name": "Mali: Government",
        "dyad_dset_id": "1",
        "dyad_new_id": 1,
        "dyad_name": "Government of Mali - Invented group",
        "side_a_dset_id": "1",
        "side_a_new_id": 1,
        "side_a": "Government of Mali",
        "side_b_dset_id": "2",
        "side_b_new_id": 2,
        "side_b": "Invented group",
        "number_of_sources": 1,
        "source_article": "Invented article",
        "source_office": "Invented office",
        "source_date": "2024-03-02",
        "source_headline": "Invented headline",
        "source_original": "",
        "where_prec": 1,
        "where_coordinates": "Gao town",
        "where_description": "Gao",
        "adm_1": "Gao region",
        "adm_2": "Gao cercle",
        "latitude": 16.27 + (n % 10) / 100,
        "longitude": -0.04,
        "geom_wkt": "POINT (-0.04 16.27)",
        "priogrid_gid": 152000,
        "country": "Mali",
        "country_id": country_id,
        "region": "Africa",
        "event_clarity": 1,
        "date_prec": 1,
        "date_start": f"2024-03-{1 + n % 27:02d}T00:00:00",
        "date_end": f"2024-03-{1 + n % 27:02d}T00:00:00",
        "deaths_a": 0,
        "deaths_b": best,
        "deaths_civilians": 0,
        "deaths_unknown": 0,
        "best": best,
        "high": best + 2,
        "low": best,
        "gwnoa": "432",
        "gwnob": None,
    }
    row.update(values)
    return row


@dataclass
class Fault:
    """A scripted answer to one request: ``status`` with ``body`` and ``headers``, a hang until released,
    or a connection closed with no answer (``drop``)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    hang: threading.Event | None = None
    drop: bool = False
    reached: threading.Event = field(default_factory=threading.Event)


@dataclass
class Logged:
    """One request as the server saw it."""

    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    form: dict[str, str]
    status: int = 0


class FakeApis:
    """Both APIs on one local port. Use ``with FakeApis() as api:``; ``api.url`` is the base address."""

    def __init__(self) -> None:
        self.acled_events: list[dict[str, object]] = []
        self.acled_deleted: list[dict[str, object]] = []
        self.ucdp_events: dict[str, list[dict[str, object]]] = {}
        self.log: list[Logged] = []
        self.faults: dict[tuple[str, int], list[Fault]] = {}
        self._tokens = 0
        self.expires_in = 86400  # seconds an access token lives, as the token answer says
        self.valid_access: set[str] = set()
        self.valid_refresh: set[str] = set()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeApis:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for faults in self.faults.values():
            for fault in faults:
                if fault.hang is not None:
                    fault.hang.set()
        self.server.shutdown()
        self.server.server_close()

    # ------------------------------------------------------------ scripting

    def fail(self, path: str, page: int, fault: Fault) -> Fault:
        """Answer the next request for ``path`` and ``page`` with ``fault`` (faults queue up)."""
        self.faults.setdefault((path, page), []).append(fault)
        return fault

    def expire_tokens(self) -> None:
        """Every access token handed out so far is expired (refresh tokens still work)."""
        self.valid_access.clear()

    def requests(self, path: str) -> list[Logged]:
        """Requests logged for ``path``."""
        return [r for r in self.log if r.path == path]

    def pages_asked(self, path: str) -> list[int]:
        """Page numbers asked of ``path`` that the server answered with 200, in order."""
        return [int(r.params.get("page", -1)) for r in self.requests(path) if r.status == 200]

    # ------------------------------------------------------------ answering

    def _token(self, form: dict[str, str]) -> tuple[int, dict[str, object]]:
        if form.get("client_id") != "acled":
            return 400, {"error": "invalid_client", "error_description": "Client authentication failed"}
        grant = form.get("grant_type")
        if grant == "password":
            if form.get("username") != EMAIL or form.get("password") != PASSWORD:
                return 400, {"error": "invalid_grant", "error_description": "The user credentials were incorrect."}
        elif grant == "refresh_token":
            if form.get("refresh_token") not in self.valid_refresh:
                return 400, {"error": "invalid_grant", "error_description": "The refresh token is invalid."}
            self.valid_refresh.discard(form["refresh_token"])
        else:
            return 400, {"error": "unsupported_grant_type"}
        with self.lock:
            self._tokens += 1
            access, refresh = f"access-{self._tokens}", f"refresh-{self._tokens}"
        self.valid_access.add(access)
        self.valid_refresh.add(refresh)
        return 200, {
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "access_token": access,
            "refresh_token": refresh,
        }

    def _acled_page(self, rows: list[dict[str, object]], params: dict[str, str]) -> tuple[int, dict[str, object]]:
        limit = min(int(params.get("limit", ACLED_MAX_PAGE)), ACLED_MAX_PAGE)
        page = int(params.get("page", 1))
        chunk = rows[(page - 1) * limit : page * limit]
        return 200, {
            "status": 200,
            "success": True,
            "last_update": 12,
            "count": len(chunk),
            "messages": [],
            "data": chunk,
            "filename": "acled-data",
        }

    def _acled(self, path: str, params: dict[str, str], headers: dict[str, str]) -> tuple[int, dict[str, object]]:
        auth = headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth.removeprefix("Bearer ") not in self.valid_access:
            return 401, {"status": 401, "success": False, "message": "Access token expired or invalid."}
        if path == "/api/deleted/read":
            since = int(params.get("deleted_timestamp", 0))
            rows = [r for r in self.acled_deleted if int(r["deleted_timestamp"]) >= since]  # type: ignore[arg-type]
            return self._acled_page(rows, params)
        rows = list(self.acled_events)
        if "country" in params:
            rows = [r for r in rows if r["country"] in params["country"].split(":OR:")]
        if "timestamp" in params:
            assert params.get("timestamp_where") == ">=", params
            rows = [r for r in rows if int(r["timestamp"]) >= int(params["timestamp"])]  # type: ignore[arg-type]
        rows.sort(key=lambda r: (str(r["event_date"]), str(r["event_id_cnty"])), reverse=True)
        return self._acled_page(rows, params)

    def _ucdp(self, path: str, params: dict[str, str], headers: dict[str, str]) -> tuple[int, dict[str, object]]:
        if headers.get("x-ucdp-access-token") != UCDP_TOKEN:
            return 401, {"message": "A valid access token is required (x-ucdp-access-token)."}
        version = path.rsplit("/", 1)[-1]
        if version not in self.ucdp_events:
            return 404, {"message": f"No such version: {version}"}
        rows = self.ucdp_events[version]
        if "Country" in params:
            rows = [r for r in rows if str(r["country_id"]) in params["Country"].split(",")]
        size = min(int(params.get("pagesize", 100)), 1000)
        page = int(params.get("page", 0))
        pages = max(1, math.ceil(len(rows) / size))

        def link(n: int) -> str:
            query = urllib.parse.urlencode({**params, "page": n})
            return f"{self.url}{path}?{query}"

        return 200, {
            "TotalCount": len(rows),
            "TotalPages": pages,
            "PreviousPageUrl": link(page - 1) if page > 0 else "",
            "NextPageUrl": link(page + 1) if page + 1 < pages else "",
            "Result": rows[page * size : (page + 1) * size],
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def _answer(self, method: str) -> None:
                split = urllib.parse.urlsplit(self.path)
                params = dict(urllib.parse.parse_qsl(split.query))
                headers = {k.lower(): v for k, v in self.headers.items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                form = dict(urllib.parse.parse_qsl(body))
                entry = Logged(method, split.path, params, headers, form)
                fake.log.append(entry)
                page = int(params.get("page", 0 if split.path.startswith("/api/gedevents") else 1))
                queue = fake.faults.get((split.path, page))
                if queue:
                    fault = queue.pop(0)
                    fault.reached.set()
                    if fault.hang is not None:
                        fault.hang.wait(30)
                        return
                    if fault.drop:
                        self.close_connection = True
                        return
                    entry.status = fault.status
                    self._send(fault.status, fault.body, fault.headers)
                    return
                if split.path == "/oauth/token" and method == "POST":
                    status, data = fake._token(form)
                elif split.path in ("/api/acled/read", "/api/deleted/read"):
                    status, data = fake._acled(split.path, params, headers)
                elif split.path.startswith("/api/gedevents/"):
                    status, data = fake._ucdp(split.path, params, headers)
                else:
                    status, data = 404, {"message": "not found"}
                entry.status = status
                self._send(status, json.dumps(data).encode(), {"Content-Type": "application/json"})

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._answer("GET")

            def do_POST(self) -> None:
                self._answer("POST")

        return Handler


@contextmanager
def running() -> Iterator[FakeApis]:
    """A started ``FakeApis``, stopped afterwards."""
    with FakeApis() as api:
        yield api
