"""Keeping a dataset current from ACLED's and UCDP's APIs: ``conflictmap fetch`` and the page's "Update" button.

The page calls ``update_store(store, "acled", country="Mali")`` (or
``"ucdp", country="432", version="25.1"``) and shows the ``StoreUpdate`` it
returns: how many events are new, changed and deleted, a message, and the
events themselves for a map layer. ``update_file`` does the same for an event
file; ``last_runs(store)`` lists the queries fetched into a store before, for
an "Update" button that asks them again. Credentials come from the settings or are asked for, and are never
written anywhere. Base addresses, back-off and retries are settings
(``CONFLICTMAP_ACLED_URL``, ``CONFLICTMAP_UCDP_URL``, ``CONFLICTMAP_FETCH_*``).
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
