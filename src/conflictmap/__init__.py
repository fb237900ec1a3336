"""conflictmap: conflict events from ACLED, UCDP and your own files, on an offline map.

The public API. Everything here works on the canonical event table defined in
:mod:`conflictmap.schema`.
"""

from conflictmap.actors import actor_counts, actor_key, actor_mask, display_name, resolve_actor
from conflictmap.errors import ConflictmapError
from conflictmap.extract import evidence_html, extract_events, find_duplicates
from conflictmap.filters import FilterError, FilterSpec
from conflictmap.gazetteer import AmbiguousPlaceError, Candidate, Place, PlaceNotFoundError, geocode, resolve
from conflictmap.grid import aggregate_grid
from conflictmap.readers import ImportReport, NotEventDataError, Rejection, detect_format, read_events, write_events
from conflictmap.schema import (
    COLUMNS,
    EVENT_TYPES,
    SUB_EVENT_TYPES,
    TAXONOMY,
    SchemaError,
    empty_events,
    to_canonical,
    validate_events,
)
from conflictmap.store import EventStore, EventValidationError, StoreError, StoreImport, open_store
from conflictmap.synth import synth_events
from conflictmap.timeline import aggregate as timeline_aggregate
from conflictmap.timeline import headline, totals

__version__ = "0.1.0"

# Names from the modules that draw with folium load on first use, so importing the
# store, the readers or the filters does not pull folium in.
_LAZY: dict[str, str] = {
    "AssetError": "conflictmap.assets",
    "inline_html": "conflictmap.assets",
    "use_local_assets": "conflictmap.assets",
    "ExportError": "conflictmap.export",
    "ExportResult": "conflictmap.export",
    "Provenance": "conflictmap.export",
    "export_view": "conflictmap.export",
    "read_provenance": "conflictmap.export",
    "write_export": "conflictmap.export",
    "EVENT_TYPE_COLORS": "conflictmap.mapview",
    "build_map": "conflictmap.mapview",
}


def __getattr__(name: str) -> object:
    """The public names of the folium modules, imported when first asked for."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'conflictmap' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "COLUMNS",
    "EVENT_TYPES",
    "EVENT_TYPE_COLORS",
    "SUB_EVENT_TYPES",
    "TAXONOMY",
    "AmbiguousPlaceError",
    "AssetError",
    "Candidate",
    "ConflictmapError",
    "EventStore",
    "EventValidationError",
    "ExportError",
    "ExportResult",
    "FilterError",
    "FilterSpec",
    "ImportReport",
    "NotEventDataError",
    "Place",
    "PlaceNotFoundError",
    "Provenance",
    "Rejection",
    "SchemaError",
    "StoreError",
    "StoreImport",
    "__version__",
    "actor_counts",
    "actor_key",
    "actor_mask",
    "aggregate_grid",
    "build_map",
    "detect_format",
    "display_name",
    "empty_events",
    "evidence_html",
    "export_view",
    "extract_events",
    "find_duplicates",
    "geocode",
    "headline",
    "inline_html",
    "open_store",
    "read_events",
    "read_provenance",
    "resolve",
    "resolve_actor",
    "synth_events",
    "timeline_aggregate",
    "to_canonical",
    "totals",
    "use_local_assets",
    "validate_events",
    "write_events",
    "write_export",
]
