"""The page's typed context: what the panels are given instead of dicts and tuples.

``Sources`` is what the dataset picker offers; ``PageData`` the datasets read
and the views that answer for them; ``PageContext`` adds the filter the
sidebar set, so every panel below the sidebar takes one argument.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from conflictmap.filters import FilterSpec
from conflictmap.pagelink import PageState
from conflictmap.pageviews import EventViews
from conflictmap.readers.report import ImportReport


@dataclass
class Sources:
    """Every dataset the picker offers (key -> ``DatasetFile``, ``Path``, ``UploadedTable`` or ``StoreEntry``).

    ``opening_key`` names the file the page opened on (``None`` without one).
    """

    entries: dict[str, object]
    opening_key: str | None


@dataclass
class PageData:
    """The datasets shown, read.

    Attributes
    ----------
    sources : Sources
        What the picker offers.
    chosen : list of str
        The keys of the datasets shown, in the picker's order.
    views : EventViews
        What answers every view of them (in memory, or the store's database).
    data_key : tuple
        The versions of the datasets shown: the key of every cached view.
    info : dict
        What the filter controls offer (``EventViews.choices``) and ``size``, the events held.
    reports : dict
        Key -> import report of each file shown.
    database : object or None
        The store's entry when its database answers the views (the store shown alone, in PostGIS).
    store_table : DataFrame or None
        The store's events read into memory, when it is shown that way.
    """

    sources: Sources
    chosen: list[str]
    views: EventViews
    data_key: tuple
    info: dict
    reports: dict[str, ImportReport] = field(default_factory=dict)
    database: object | None = None
    store_table: pd.DataFrame | None = None

    @property
    def total(self) -> int:
        """How many events the datasets shown hold."""
        return int(self.info["size"])

    @property
    def dataset_names(self) -> list[str]:
        """The ``dataset`` values of the events shown, most events first."""
        return [name for name, _ in self.info["datasets"]]


@dataclass
class PageContext:
    """The datasets shown and the filter applied: what each panel below the sidebar draws from.

    ``count`` is how many events pass ``spec`` (-1 until counted, after the map); ``link`` the page's
    state as its URL holds it and ``link_params`` that URL's query parameters.
    """

    data: PageData
    spec: FilterSpec
    spec_key: str
    count: int
    link: PageState
    link_params: dict

    @property
    def views(self) -> EventViews:
        """What answers every view."""
        return self.data.views

    @property
    def data_key(self) -> tuple:
        """The key of every cached view of these datasets."""
        return self.data.data_key

    @property
    def fit_key(self) -> str:
        """What, when it changes, makes the map fit its view to the events again."""
        spec = self.spec
        return "|".join([*self.data.chosen, *spec.admin1, *spec.datasets, str(spec.bbox), str(spec.polygon), spec.text])
