"""Provenance inside each kind of export file, and reading it back.

Where each file keeps its record (the full record is always the JSON of
``Provenance.to_json``):

========  =====================================================================
HTML      ``<script type="application/json" id="conflictmap-provenance">`` in
          the page, with ``<meta>`` tags (generator, description, created,
          view URL) in its head
PNG       a text chunk ``conflictmap:provenance``, with the standard chunks
          Title, Description, Source, Software, Creation Time and Copyright
PDF       the document information entry ``/ConflictmapProvenance``, with
          Title, Subject (the filter), Keywords, Creator and CreationDate
SVG       ``<cm:provenance xmlns:cm="urn:conflictmap:provenance">`` inside
          ``<metadata>``, next to the Dublin Core title, description, date,
          creator and source
CSV       a sidecar file next to it: ``<name>.csv.provenance.json`` (a comment
          line in the CSV would break other tools reading it)
GeoJSON   a foreign member ``"_provenance"`` of the FeatureCollection
GPKG      an attribute table ``provenance`` (``key``, ``value``; the row
          ``json`` holds the whole record), listed in ``gpkg_contents`` so
          QGIS shows it next to the ``events`` layer
========  =====================================================================
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

from conflictmap.export.provenance import Provenance, ProvenanceError

#: Key of the PNG text chunk and PDF information entry holding the record.
PNG_KEY = "conflictmap:provenance"
PDF_KEY = "ConflictmapProvenance"
#: Id of the HTML ``<script>`` element holding the record.
HTML_ID = "conflictmap-provenance"
#: Namespace of the SVG element holding the record.
SVG_NS = "urn:conflictmap:provenance"
#: Foreign member of a GeoJSON FeatureCollection holding the record.
GEOJSON_MEMBER = "_provenance"
#: GeoPackage attribute table holding the record.
GPKG_TABLE = "provenance"
#: Suffix added to a CSV file's name for its sidecar.
SIDECAR_SUFFIX = ".provenance.json"

_HTML_BLOCK = re.compile(
    r'<script type="application/json" id="' + HTML_ID + r'">(.*?)</script>', flags=re.DOTALL | re.IGNORECASE
)
_GEOJSON_HEAD_BYTES = 1 << 20
_COPY_BLOCK = 1 << 22


def sidecar_path(path: str | Path) -> Path:
    """The provenance sidecar of a data file: ``events.csv`` -> ``events.csv.provenance.json``."""
    path = Path(path)
    return path.with_name(path.name + SIDECAR_SUFFIX)


# -- writing --------------------------------------------------------------------------------------------


def image_metadata(prov: Provenance, kind: str) -> dict[str, object]:
    """The ``metadata`` argument for matplotlib's ``savefig`` in format ``kind`` (png, pdf or svg).

    PDF gets the record under ``/ConflictmapProvenance`` (matplotlib warns about
    keys outside the PDF standard; ``image.py`` silences that one warning).
    SVG's record is added afterwards by ``add_svg_provenance``.
    """
    description = f"{prov.filter_text} · {prov.summary()}"
    credits = "; ".join(prov.attributions())
    if kind == "png":
        return {
            "Title": prov.title,
            "Description": description,
            "Source": prov.view_url,
            "Software": prov.tool,
            "Creation Time": prov.created,
            "Copyright": credits,
            PNG_KEY: prov.to_json(),
        }
    if kind == "pdf":
        return {
            "Title": prov.title,
            "Subject": description,
            "Keywords": ", ".join(["conflict events", *(d.label for d in prov.datasets)]),
            "Creator": prov.tool,
            PDF_KEY: prov.to_json(),
        }
    if kind == "svg":
        return {
            "Title": prov.title,
            "Description": description,
            "Date": prov.created,
            "Creator": prov.tool,
            "Source": prov.view_url,
            "Rights": credits,
        }
    raise ValueError(f"no image metadata for {kind!r}; expected png, pdf or svg")


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def add_svg_provenance(svg: str, prov: Provenance) -> str:
    """``svg`` with the record added inside its ``<metadata>`` (created when missing)."""
    element = f'<cm:provenance xmlns:cm="{SVG_NS}">{_xml_text(prov.to_json())}</cm:provenance>'
    if "</metadata>" in svg:
        return svg.replace("</metadata>", f"{element}\n </metadata>", 1)
    match = re.search(r"<svg\b[^>]*>", svg)
    if match is None:
        raise ValueError("not an SVG document: no <svg> element")
    return svg[: match.end()] + f"\n <metadata>{element}</metadata>" + svg[match.end() :]


def html_head(prov: Provenance) -> str:
    """``<meta>`` tags for an HTML page's head (all values escaped)."""
    tags = {
        "generator": prov.tool,
        "description": f"{prov.filter_text} · {prov.summary()}",
        "dcterms.created": prov.created,
        "conflictmap:view": prov.view_url,
    }
    return "\n".join(f'<meta name="{name}" content="{_attr(value)}">' for name, value in tags.items())


def _attr(text: str) -> str:
    return _xml_text(text).replace('"', "&quot;")


def html_block(prov: Provenance) -> str:
    """The record as a ``<script type="application/json">`` element that no text can break out of."""
    from conflictmap.assets import js_literal  # the escaping used for every script block

    return f'<script type="application/json" id="{HTML_ID}">{js_literal(prov.to_dict())}</script>'


def write_sidecar(path: str | Path, prov: Provenance) -> Path:
    """Write the record next to a data file (see ``sidecar_path``) and return the sidecar's path."""
    target = sidecar_path(path)
    target.write_text(prov.to_json(indent=2) + "\n", encoding="utf-8")
    return target


def add_geojson_provenance(path: str | Path, prov: Provenance) -> None:
    """Add the record as the foreign member ``_provenance`` at the top of a GeoJSON FeatureCollection.

    The file is copied once; the features are not parsed.

    Raises
    ------
    ValueError
        If the file does not start with a JSON object.
    """
    path = Path(path)
    temporary = path.with_name(path.name + ".part")
    with open(path, "rb") as source, open(temporary, "wb") as target:
        head = source.read(_COPY_BLOCK)
        brace = head.find(b"{")
        if brace < 0 or head[:brace].strip():
            temporary.unlink(missing_ok=True)
            raise ValueError(f"{path.name} does not start with a JSON object")
        member = f'"{GEOJSON_MEMBER}": {prov.to_json()},\n'.encode("ascii")
        target.write(head[: brace + 1] + b"\n" + member + head[brace + 1 :])
        shutil.copyfileobj(source, target, _COPY_BLOCK)
    temporary.replace(path)


def add_gpkg_provenance(path: str | Path, prov: Provenance) -> None:
    """Add the attribute table ``provenance`` (``key``, ``value``) to a GeoPackage.

    Rows: each top-level field of the record as text, then ``json``, the
    whole record. The table is registered in ``gpkg_contents`` (data type
    ``attributes``), so GIS tools list it.
    """
    record = prov.to_dict()
    rows = [(key, value if isinstance(value, str) else json.dumps(value)) for key, value in record.items()]
    rows.append(("json", prov.to_json()))
    connection = sqlite3.connect(str(path))
    try:
        with connection:
            connection.execute(f'DROP TABLE IF EXISTS "{GPKG_TABLE}"')
            connection.execute(
                f'CREATE TABLE "{GPKG_TABLE}" (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, key TEXT, value TEXT)'
            )
            connection.executemany(f'INSERT INTO "{GPKG_TABLE}" (key, value) VALUES (?, ?)', rows)
            connection.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (GPKG_TABLE,))
            connection.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change) "
                "VALUES (?, 'attributes', ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                (GPKG_TABLE, GPKG_TABLE, "What made this export: filter, datasets, event count, time"),
            )
    finally:
        connection.close()


# -- reading --------------------------------------------------------------------------------------------


def _from_html(path: Path) -> Provenance | None:
    match = _HTML_BLOCK.search(path.read_text(encoding="utf-8", errors="replace"))
    return Provenance.from_json(match.group(1)) if match else None


def _from_png(path: Path) -> Provenance | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            text = dict(getattr(image, "text", {}) or {})
    except (UnidentifiedImageError, OSError) as exc:
        raise ProvenanceError(f"{path.name} cannot be read as PNG: {exc}") from None
    return Provenance.from_json(text[PNG_KEY]) if PNG_KEY in text else None


def pdf_string(data: bytes, start: int) -> tuple[bytes, int]:
    """The PDF literal string ``(...)`` opening at ``data[start]``, unescaped, and the index after it.

    Raises
    ------
    ProvenanceError
        If no string opens there or it does not close.
    """
    if data[start : start + 1] != b"(":
        raise ProvenanceError("expected a PDF string")
    out = bytearray()
    depth, i = 1, start + 1
    escapes = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}
    while i < len(data):
        c = data[i]
        if c == 0x5C:  # backslash
            nxt = data[i + 1] if i + 1 < len(data) else None
            if nxt in escapes:
                out += escapes[nxt]
                i += 2
            elif nxt is not None and 0x30 <= nxt <= 0x37:
                digits = re.match(rb"[0-7]{1,3}", data[i + 1 : i + 4]).group(0)
                out.append(int(digits, 8) & 0xFF)
                i += 1 + len(digits)
            elif nxt in (0x0A, 0x0D):  # a line continuation
                i += 2 + (nxt == 0x0D and data[i + 2 : i + 3] == b"\n")
            elif nxt is not None:
                out.append(nxt)
                i += 2
            else:
                break
            continue
        if c == 0x28:
            depth += 1
        elif c == 0x29:
            depth -= 1
            if depth == 0:
                return bytes(out), i + 1
        out.append(c)
        i += 1
    raise ProvenanceError("unterminated PDF string")


def pdf_info(data: bytes, key: str) -> str | None:
    """The text of the document information entry ``/key`` of a PDF, or None.

    Literal strings are read with their escapes; UTF-16 strings (with a
    byte-order mark) are decoded. Entries written as hex strings are not
    looked for: this reads what matplotlib writes.
    """
    match = re.search(rb"/" + re.escape(key.encode("ascii")) + rb"\s*\(", data)
    if match is None:
        return None
    raw, _ = pdf_string(data, match.end() - 1)
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be")
    return raw.decode("latin-1")


def _from_pdf(path: Path) -> Provenance | None:
    text = pdf_info(path.read_bytes(), PDF_KEY)
    return Provenance.from_json(text) if text is not None else None


def _from_svg(path: Path) -> Provenance | None:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise ProvenanceError(f"{path.name} is not well-formed SVG: {exc}") from None
    element = root.find(f".//{{{SVG_NS}}}provenance")
    return Provenance.from_json(element.text or "") if element is not None else None


def _from_geojson(path: Path) -> Provenance | None:
    with open(path, "rb") as fh:
        head = fh.read(_GEOJSON_HEAD_BYTES).decode("utf-8", errors="replace")
    match = re.search(r'"' + GEOJSON_MEMBER + r'"\s*:\s*', head)
    if match is None:
        return None
    try:
        data, _ = json.JSONDecoder().raw_decode(head, match.end())
    except json.JSONDecodeError as exc:
        raise ProvenanceError(f"{path.name}: the {GEOJSON_MEMBER} member is not valid JSON: {exc}") from None
    return Provenance.from_dict(data)


def _from_gpkg(path: Path) -> Provenance | None:
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise ProvenanceError(f"{path.name} cannot be opened as a GeoPackage: {exc}") from None
    try:
        row = connection.execute(f'SELECT value FROM "{GPKG_TABLE}" WHERE key = ?', ("json",)).fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        connection.close()
    return Provenance.from_json(row[0]) if row else None


def _sniff(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(2048)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith(b"<"):
        return "svg" if b"<svg" in text and b"<html" not in text else "html"
    if text.startswith(b"{"):
        return "geojson"
    return "other"


_READERS = {
    "html": _from_html,
    "png": _from_png,
    "pdf": _from_pdf,
    "svg": _from_svg,
    "geojson": _from_geojson,
    "gpkg": _from_gpkg,
}


def read_provenance(path: str | Path) -> Provenance | None:
    """The provenance record an export carries, or None when it carries none.

    The file's kind comes from its first bytes; for any file a sidecar
    (``<name>.provenance.json``, as written next to CSV exports) is read when
    the file itself holds no record. A sidecar itself may be given too.

    Parameters
    ----------
    path : str or pathlib.Path
        An export: HTML, PNG, PDF, SVG, CSV, GeoJSON or GeoPackage.

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    ProvenanceError
        If the file holds a record that cannot be read.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no file at {path}")
    if path.name.endswith(SIDECAR_SUFFIX):
        try:
            return Provenance.from_json(path.read_bytes())
        except ProvenanceError as exc:
            raise ProvenanceError(f"{path.name}: {exc}") from None
    reader = _READERS.get(_sniff(path))
    try:
        found = reader(path) if reader else None
    except ProvenanceError as exc:
        raise ProvenanceError(f"{path.name}: {exc}") from None
    if found is None and sidecar_path(path).is_file():
        try:
            found = Provenance.from_json(sidecar_path(path).read_bytes())
        except ProvenanceError as exc:
            raise ProvenanceError(f"{sidecar_path(path).name}: {exc}") from None
    return found
