"""UCDP Georeferenced Event Dataset (GED) CSV onto canonical names.

- ``event_id`` is ``GED-<id>``; ``dataset`` is ``ucdp_ged``.
- ``type_of_violence`` 1 (state-based) and 2 (non-state) become Battles /
  Armed clash, 3 (one-sided) Violence against civilians / Attack with
  ``civilian_targeting``; the original is kept in ``source_event_type``.
  Every GED event is organised violence: ``disorder_type`` is "Political violence".
- ``date_start``/``date_end`` are the first and last day; ``date_prec`` and
  ``where_prec`` become ``time_precision`` and ``geo_precision`` as
  ``TIME_PRECISION`` and ``GEO_PRECISION`` say.
- ``best``/``low``/``high`` are ``fatalities``/``fatalities_low``/``fatalities_high``.
- ``side_a``/``side_b`` are ``actor1``/``actor2``; ``adm_1``/``adm_2`` are
  ``admin1``/``admin2`` as UCDP writes them ("Tombouctou region", "Gao
  cercle"): they are kept as written, not matched to ACLED's names.
- ``code_status``, ``event_clarity``, ``conflict_name``, ``dyad_name``,
  ``deaths_a/b/civilians/unknown``, ``number_of_sources``, ``priogrid_gid``,
  ``source_headline``, ``source_office``, ``source_date`` and ``region`` are
  carried as written. ``actor1_type``/``actor2_type`` are ACLED's labels where
  the side is clear (``_side_types``).
- Candidate files are read the same way; a file without a header row is read
  with the documented 49 columns (``GED_COLUMNS``).
- ``where_coordinates`` is the ``location``; ``source`` joins
  ``source_office`` and ``source_article``; ``notes`` joins
  ``where_description`` and ``source_headline``. GED has no timestamp.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from conflictmap import schema
from conflictmap.readers import replies
from conflictmap.readers import values as parse
from conflictmap.readers.report import ImportReport
from conflictmap.readers.rows import Staged
from conflictmap.readers.table import RawTable

DATASET = "ucdp_ged"

#: The documented 49 columns of GED and Candidate files, in their order (Candidate files
#: published without a header row are read with these names).
GED_COLUMNS: tuple[str, ...] = (
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
    "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name", "side_a_dset_id",
    "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b", "number_of_sources",
    "source_article", "source_office", "source_date", "source_headline", "source_original", "where_prec",
    "where_coordinates", "where_description", "adm_1", "adm_2", "latitude", "longitude", "geom_wkt",
    "priogrid_gid", "country", "country_id", "region", "event_clarity", "date_prec", "date_start", "date_end",
    "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best", "high", "low", "gwnoa", "gwnob",
)  # fmt: skip

#: type_of_violence -> (event_type, sub_event_type, source_event_type)
VIOLENCE_TYPES: dict[int, tuple[str, str, str]] = {
    1: ("Battles", "Armed clash", "UCDP type_of_violence 1: state-based conflict"),
    2: ("Battles", "Armed clash", "UCDP type_of_violence 2: non-state conflict"),
    3: ("Violence against civilians", "Attack", "UCDP type_of_violence 3: one-sided violence"),
}
#: date_prec -> time_precision
TIME_PRECISION: dict[int, int] = {1: 1, 2: 2, 3: 2, 4: 3, 5: 4}
#: where_prec -> geo_precision
GEO_PRECISION: dict[int, int] = {1: 1, 2: 2, 3: 3, 4: 3, 5: 3, 6: 4, 7: 4}

#: canonical column -> GED column carried as it is
RENAMED: dict[str, str] = {
    "event_date": "date_start",
    "date_end": "date_end",
    "fatalities": "best",
    "fatalities_low": "low",
    "fatalities_high": "high",
    "actor1": "side_a",
    "actor2": "side_b",
    "country": "country",
    "admin1": "adm_1",
    "admin2": "adm_2",
    "location": "where_coordinates",
    "latitude": "latitude",
    "longitude": "longitude",
    "region": "region",
    # Carried as UCDP writes them: the quality and context fields.
    "code_status": "code_status",
    "event_clarity": "event_clarity",
    "conflict_name": "conflict_name",
    "dyad_name": "dyad_name",
    "deaths_a": "deaths_a",
    "deaths_b": "deaths_b",
    "deaths_civilians": "deaths_civilians",
    "deaths_unknown": "deaths_unknown",
    "number_of_sources": "number_of_sources",
    "priogrid_gid": "priogrid_gid",
    "source_headline": "source_headline",
    "source_office": "source_office",
    "source_date": "source_date",
}
_JOINED = {"source": ("source_office", "source_article"), "notes": ("where_description", "source_headline")}
_CODED = ("id", "type_of_violence", "date_prec", "where_prec")


def _join(frame: pd.DataFrame, columns: tuple[str, ...], sep: str) -> pd.Series:
    parts = [parse.text(frame[c]) for c in columns if c in frame.columns]
    if not parts:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    joined = parts[0]
    for part in parts[1:]:
        both = joined.notna() & part.notna() & (joined != part)
        joined = joined.fillna(part).where(~both, joined + sep + part)
    return joined


def _coded(
    staged: Staged, report: ImportReport, frame: pd.DataFrame, column: str, known: Mapping[int, object], expected: str
) -> pd.Series:
    """The codes of ``column`` that are in ``known`` (NaN elsewhere); other written values are rejected."""
    raw = frame[column] if column in frame.columns else pd.Series(None, index=frame.index, dtype="object")
    codes = parse.numbers(raw)
    codes = codes.where(codes.isin(list(known)))
    staged.reject(report, codes.isna() & parse.text(raw).notna(), column, raw, f"expected {expected}")
    return codes


_GOVERNMENT = r"^\s*government of\b"


def _side_types(frame: pd.DataFrame, violence: pd.Series) -> dict[str, pd.Series]:
    """ACLED's actor types for UCDP's sides, where they are clear.

    A side named "Government of ..." is State forces; in state-based conflict (1) the other side is a
    Rebel group (UCDP's organised opposition); "Civilians", the target of one-sided violence (3), is
    Civilians. Non-state sides (2), and side A of one-sided violence, have no clear type.
    """
    none = pd.Series(None, index=frame.index, dtype=object)
    side_a = parse.text(frame["side_a"]) if "side_a" in frame.columns else none
    side_b = parse.text(frame["side_b"]) if "side_b" in frame.columns else none
    gov_a = side_a.str.contains(_GOVERNMENT, case=False, regex=True).fillna(False).astype(bool)
    gov_b = side_b.str.contains(_GOVERNMENT, case=False, regex=True).fillna(False).astype(bool)
    civilians_b = (side_b.str.strip().str.casefold() == "civilians").fillna(False).astype(bool)
    type_a = pd.Series(np.where(gov_a, "State forces", None), index=frame.index, dtype=object)
    type_b = pd.Series(None, index=frame.index, dtype=object)
    type_b[gov_b] = "State forces"
    type_b[(violence == 1) & side_b.notna() & ~gov_b] = "Rebel group"
    type_b[civilians_b] = "Civilians"
    both = [schema.interaction_label(a, b) if a and b else None for a, b in zip(type_a, type_b, strict=True)]
    return {"actor1_type": type_a, "actor2_type": type_b, "interaction": pd.Series(both, index=frame.index)}


def stage(table: RawTable, report: ImportReport) -> Staged:
    """GED rows under canonical names; unknown codes rejected.

    Parameters
    ----------
    table : RawTable
        The file as read.
    report : ImportReport
        Receives rejections and the list of columns not carried.
    """
    frame = table.frame
    out = pd.DataFrame({c: frame[g] for c, g in RENAMED.items() if g in frame.columns}, index=frame.index)
    origin = {c: g for c, g in RENAMED.items() if g in frame.columns}
    origin["event_id"] = "id"
    out["event_id"] = "GED-" + parse.whole_ids(frame["id"])
    staged = Staged(out, table.rows, origin=origin, default_dataset=DATASET)

    expected = "1 (state-based), 2 (non-state) or 3 (one-sided)"
    violence = _coded(staged, report, frame, "type_of_violence", VIOLENCE_TYPES, expected)
    raw = frame["type_of_violence"]
    staged.reject(report, parse.text(raw).isna(), "type_of_violence", raw, f"missing; expected {expected}")
    for i, col in enumerate(("event_type", "sub_event_type", "source_event_type")):
        out[col] = parse.as_category(violence.map({code: kind[i] for code, kind in VIOLENCE_TYPES.items()}))
    out["civilian_targeting"] = (violence == 3).to_numpy()
    for col, values in _side_types(frame, violence).items():
        out[col] = values
    out["disorder_type"] = pd.Categorical.from_codes(np.zeros(len(out), dtype=np.int8), ["Political violence"])
    for col, source, mapping in (
        ("time_precision", "date_prec", TIME_PRECISION),
        ("geo_precision", "where_prec", GEO_PRECISION),
    ):
        codes = _coded(staged, report, frame, source, mapping, f"a {source} from 1 to {max(mapping)}")
        out[col] = codes.map(mapping)
    origin["time_precision"], origin["geo_precision"] = "date_prec", "where_prec"
    for col, sources in _JOINED.items():
        out[col] = _join(frame, sources, " — ")
        origin[col] = sources[0]

    used = {*RENAMED.values(), *_CODED, *(c for cols in _JOINED.values() for c in cols)}
    skipped = [c for c in frame.columns if c not in used]
    if skipped:
        report.warnings.append("columns not carried into the event table: " + ", ".join(skipped))
    return staged


# --- API replies -----------------------------------------------------------------

#: ``parse_reply(payload)``: the records and paging of a UCDP API page (``UcdpPage``); ``ApiReplyError`` otherwise.
parse_reply = replies.parse_ucdp_reply


def events_from_reply(
    payload: object, *, dataset: str | None = None, first_row: int = 1, source: str = "UCDP API page"
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Canonical events from one UCDP API JSON page (``{"TotalCount", "NextPageUrl", "Result": [...]}``).

    Every record is checked as a row of a GED file is; the report's row
    numbers are record numbers from ``first_row``.

    Parameters
    ----------
    payload : dict
        The page as ``json.loads`` gives it.
    dataset : str, optional
        Names the dataset of every event (default ``ucdp_ged``).
    first_row : int
        The number of the first record (``(page - 1) * pagesize + 1`` when paging).
    source : str
        What the report names as the source.

    Raises
    ------
    ApiReplyError
        If the page has no ``Result`` list.
    """
    from conflictmap.readers.pipeline import events_from_table

    page = parse_reply(payload)
    table = replies.records_table(page.records, first_row=first_row)
    if not page.records:
        table.frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in GED_COLUMNS})
    return events_from_table(table, "ucdp", source=source, dataset=dataset, default_dataset=DATASET, stage=stage)
