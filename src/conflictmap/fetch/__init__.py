"""Keeping a dataset current from ACLED's and UCDP's APIs: ``conflictmap fetch`` and the page's "Update" button.

The page asks ``missing_credentials("acled")`` which credentials the settings
lack and collects those in a form, makes them ``credentials_for("acled",
given=form_values)``, and calls ``update_store(store, "acled",
country="Mali", credentials=...)`` (or ``"ucdp", country="432",
version="25.1"``). It shows the ``StoreUpdate`` returned: how many events are
new, changed and deleted, a message, and the events themselves (column
``change``) for a map layer. ``last_runs(store)`` lists the queries fetched
into a store before; ``update_file`` does the same for an event file.
Credentials are never written anywhere. Base addresses, back-off, retries and
page size are settings (``CONFLICTMAP_ACLED_URL``, ``CONFLICTMAP_UCDP_URL``,
``CONFLICTMAP_FETCH_*``).
"""

from __future__ import annotations

from conflictmap.fetch.acled import AcledApi
from conflictmap.fetch.convert import rows_to_events
from conflictmap.fetch.credentials import Credentials, credentials_for, missing_credentials, terminal_ask
from conflictmap.fetch.download import SOURCES, Download, FetchProgress, Query, download
from conflictmap.fetch.http import AuthError, FetchError, Http
from conflictmap.fetch.ucdp import UcdpApi
from conflictmap.fetch.update import CHANGE_KINDS, StoreUpdate, last_runs, update_file, update_store

__all__ = [
    "CHANGE_KINDS",
    "SOURCES",
    "AcledApi",
    "AuthError",
    "Credentials",
    "Download",
    "FetchError",
    "FetchProgress",
    "Http",
    "Query",
    "StoreUpdate",
    "UcdpApi",
    "credentials_for",
    "download",
    "last_runs",
    "missing_credentials",
    "rows_to_events",
    "terminal_ask",
    "update_file",
    "update_store",
]
