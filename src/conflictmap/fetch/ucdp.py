"""UCDP's API as documented for GED 25.1 (``ucdpapi.pcr.uu.se``): pages of GED events of one release.

``GET {base}/api/gedevents/<version>?pagesize=<n>&page=<N>&Country=<Gleditsch-Ward code>``
with the header ``x-ucdp-access-token``; pages count from 0, at most 1,000
rows each. The reply is ``{"TotalCount", "TotalPages", "PreviousPageUrl",
"NextPageUrl", "Result": [...]}``; the last page has an empty ``NextPageUrl``.
Pages are asked for by number (not by following ``NextPageUrl``), so a
resumed download asks exactly for the pages it lacks and the token is only
ever sent to the address the settings name.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from conflictmap import settings
from conflictmap.fetch.acled import Page
from conflictmap.fetch.credentials import Credentials
from conflictmap.fetch.http import AuthError, FetchError, Http, gist

#: UCDP's largest page.
PAGE_SIZE = 1000


@dataclass
class UcdpApi:
    """Talks to UCDP's API with one access token.

    Parameters
    ----------
    credentials : Credentials
        ``token``.
    http : Http, optional
        Default ``Http("UCDP")``.
    base_url : str, optional
        Default ``CONFLICTMAP_UCDP_URL``.
    page_size : int
        Rows per page (``pagesize``); default ``CONFLICTMAP_FETCH_PAGE_SIZE`` or the largest, 1000.
    """

    credentials: Credentials
    http: Http | None = None
    base_url: str | None = None
    page_size: int | None = None

    def __post_init__(self) -> None:
        self.http = self.http or Http("UCDP")
        self.base_url = (self.base_url or settings.get("CONFLICTMAP_UCDP_URL")).rstrip("/")
        self.page_size = self.page_size or settings.page_size(PAGE_SIZE)

    def events(self, version: str, country: str, start: int = 0) -> Iterator[Page]:
        """Pages of GED ``version`` events in ``country`` (a Gleditsch-Ward code, e.g. 432 for Mali), from ``start``.

        Raises
        ------
        AuthError
            When UCDP refuses the token.
        FetchError
            When a page is not a UCDP reply (not JSON, no ``Result`` list).
        """
        url = f"{self.base_url}/api/gedevents/{version}"
        number = start
        while True:
            what = f"page {number} of UCDP GED {version} for country {country}"
            params = {"pagesize": self.page_size, "page": number, "Country": country}
            reply = self.http.request(
                "GET", url, params=params, headers={"x-ucdp-access-token": self.credentials.token}, what=what
            )
            if reply.status in (401, 403):
                raise AuthError(
                    f"UCDP refused the access token ({reply.status}: {gist(reply)}); check CONFLICTMAP_UCDP_TOKEN"
                )
            if reply.status == 404:
                raise FetchError(f"UCDP has no GED version {version!r} ({gist(reply)}); versions look like 25.1")
            if reply.status != 200:
                raise FetchError(f"UCDP answered {reply.status} to {what}: {gist(reply)}")
            data = reply.json(what)
            if not isinstance(data, Mapping) or not isinstance(data.get("Result"), list):
                raise FetchError(f"{what} is not a UCDP reply: expected an object with a 'Result' list")
            rows = data["Result"]
            bad = next((i for i, r in enumerate(rows) if not isinstance(r, Mapping)), None)
            if bad is not None:
                raise FetchError(f"{what}: row {bad + 1} is not an object of columns")
            total = data.get("TotalPages")
            total_pages = int(total) if isinstance(total, int | float) else None
            last = not data.get("NextPageUrl") or not rows or (total_pages is not None and number + 1 >= total_pages)
            yield Page(number, [dict(r) for r in rows], last=last, total_pages=total_pages)
            if last:
                return
            number += 1
