"""Build the shipped cercle (admin2) boundaries from OCHA's common operational dataset for Mali.

``python -m conflictmap.areas_build data/raw/mli_admbnda_adm2_gov_ocha_itos.shp`` writes
``src/conflictmap/data/areas_mli_admin2.geojson``. The cercles are simplified as one
coverage, so a border two cercles share is simplified once and both keep the same
line: no gaps, no overlaps.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import MultiPolygon, mapping

from conflictmap.gazetteer import canonical_admin1

#: Simplification tolerance in degrees (about 1 km): cercle borders at zoom 7–9.
TOLERANCE = 0.01
OUT = Path(__file__).parent / "data" / "areas_mli_admin2.geojson"
#: OCHA's layer spells one region name unlike every other list.
REGION_SPELLING = {"Koulikouro": "Koulikoro"}


def _polygons(shape: shapely.Geometry) -> MultiPolygon:
    shape = shapely.set_precision(shapely.make_valid(shape), 0.0001)
    parts = shape.geoms if hasattr(shape, "geoms") else [shape]
    polygons = []
    for part in parts:
        if part.geom_type == "Polygon":
            polygons.append(part)
        elif part.geom_type == "MultiPolygon":
            polygons.extend(part.geoms)
    return MultiPolygon(polygons)


def build(source: Path, out: Path = OUT, tolerance: float = TOLERANCE) -> int:
    """Write the simplified cercles as GeoJSON.

    Parameters
    ----------
    source : Path
        OCHA's COD-AB admin2 layer for Mali (any format GeoPandas reads), with
        ``admin1Name``, ``admin2Name`` and ``admin2Pcod``.
    out : Path
        The GeoJSON file to write.
    tolerance : float
        Simplification tolerance in degrees.

    Returns
    -------
    int
        The number of cercles written.
    """
    layer = gpd.read_file(source).to_crs(4326)
    simplified = shapely.coverage_simplify(layer.geometry.values, tolerance)
    features = []
    for row, shape in zip(layer.itertuples(index=False), simplified, strict=True):
        region = REGION_SPELLING.get(row.admin1Name, row.admin1Name)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "admin2": row.admin2Name,
                    "admin1": canonical_admin1(region) or region,
                    "pcode": row.admin2Pcod,
                },
                "geometry": mapping(_polygons(shape)),
            }
        )
    collection = {"type": "FeatureCollection", "features": features}
    out.write_text(json.dumps(collection, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")
    return len(features)


if __name__ == "__main__":
    print(build(Path(sys.argv[1])))
