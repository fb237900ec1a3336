"""Local copies of Leaflet and its plugins: fetched once, served by the app, inlined into exports.

folium links Leaflet from public CDNs, so with no connection its maps stay
blank. Here the same libraries come from the npm registry at set-up, pinned to
one version and checked against the registry's integrity hash, into
``CONFLICTMAP_ASSETS`` (default ``static/vendor``, which the app serves at
``/app/static/vendor``)::

    python -m conflictmap.assets fetch [--dest DIR]

``use_local_assets`` points a map's ``<script>``/``<link>`` tags at those
copies; ``inline_html`` writes a map as one self-contained HTML file with the
scripts, styles and marker images inside it.

Licences: Leaflet (BSD-2-Clause), Leaflet.markercluster (MIT), jQuery (MIT);
each package's licence file is copied next to its files.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import folium
from branca.element import CssLink, Element, JavascriptLink, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from conflictmap import settings
from conflictmap.errors import ConflictmapError


class AssetError(ConflictmapError, RuntimeError):
    """The assets cannot be fetched, found or used; the message says what to do."""


@dataclass(frozen=True)
class NpmPackage:
    """One pinned npm package and the files taken from it.

    Attributes
    ----------
    name, version : str
        What ``npm pack`` is asked for.
    integrity : str
        The registry's ``sha512-...`` hash of the tarball; a different one is refused.
    files : tuple of (str, str)
        ``(path in the tarball under package/, path under the package's asset folder)``.
    """

    name: str
    version: str
    integrity: str
    files: tuple[tuple[str, str], ...]

    @property
    def spec(self) -> str:
        """``name@version``, as npm takes it."""
        return f"{self.name}@{self.version}"


PACKAGES: tuple[NpmPackage, ...] = (
    NpmPackage(
        "leaflet",
        "1.9.4",
        "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==",
        (
            ("dist/leaflet.js", "leaflet.js"),
            ("dist/leaflet.css", "leaflet.css"),
            ("dist/images/layers.png", "images/layers.png"),
            ("dist/images/layers-2x.png", "images/layers-2x.png"),
            ("dist/images/marker-icon.png", "images/marker-icon.png"),
            ("dist/images/marker-icon-2x.png", "images/marker-icon-2x.png"),
            ("dist/images/marker-shadow.png", "images/marker-shadow.png"),
            ("LICENSE", "LICENSE"),
        ),
    ),
    NpmPackage(
        "leaflet.markercluster",
        "1.5.3",
        "sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGfCSeA==",
        (
            ("dist/leaflet.markercluster.js", "leaflet.markercluster.js"),
            ("dist/MarkerCluster.css", "MarkerCluster.css"),
            ("dist/MarkerCluster.Default.css", "MarkerCluster.Default.css"),
            ("MIT-LICENCE.txt", "LICENSE"),
        ),
    ),
    NpmPackage(
        "leaflet.heat",
        "0.2.0",
        "sha512-Cd5PbAA/rX3X3XKxfDoUGi9qp78FyhWYurFg3nsfhntcM/MCNK08pRkf4iEenO1KNqwVPKCmkyktjW3UD+h9bQ==",
        (
            ("dist/leaflet-heat.js", "leaflet-heat.js"),
            ("LICENSE", "LICENSE"),
        ),
    ),
    NpmPackage(
        "leaflet-draw",
        "1.0.4",
        "sha512-rsQ6saQO5ST5Aj6XRFylr5zvarWgzWnrg46zQ1MEOEIHsppdC/8hnN8qMoFvACsPvTioAuysya/TVtog15tyAQ==",
        (
            ("dist/leaflet.draw.js", "leaflet.draw.js"),
            ("dist/leaflet.draw.css", "leaflet.draw.css"),
            ("dist/images/spritesheet.png", "images/spritesheet.png"),
            ("dist/images/spritesheet-2x.png", "images/spritesheet-2x.png"),
            ("dist/images/spritesheet.svg", "images/spritesheet.svg"),
            # The package ships no licence file; its package.json records "MIT".
            ("package.json", "package.json"),
        ),
    ),
    NpmPackage(
        "jquery",
        "3.7.1",
        "sha512-m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAynV2BsfpTYrTRysYUdADVD7CkUUizgkpLfg==",
        (
            ("dist/jquery.min.js", "jquery.min.js"),
            ("LICENSE.txt", "LICENSE"),
        ),
    ),
)

#: folium's resource name -> file under the asset folder.
ASSET_FILES: dict[str, str] = {
    "leaflet": "leaflet/leaflet.js",
    "leaflet_css": "leaflet/leaflet.css",
    "jquery": "jquery/jquery.min.js",
    "markerclusterjs": "leaflet.markercluster/leaflet.markercluster.js",
    "markerclustercss": "leaflet.markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "leaflet.markercluster/MarkerCluster.Default.css",
    "leaflet-heat.js": "leaflet.heat/leaflet-heat.js",
    "leaflet_draw_js": "leaflet-draw/leaflet.draw.js",
    "leaflet_draw_css": "leaflet-draw/leaflet.draw.css",
}
#: Folder of Leaflet's marker and layer-control images, relative to the asset folder.
LEAFLET_IMAGES = "leaflet/images/"
#: URL path at which Streamlit serves the default asset folder.
APP_BASE_URL = "/app/static/vendor"

# folium.Map links these for awesome-markers icons and Bootstrap-styled popups;
# this project draws neither, so they are left out rather than fetched.
_UNUSED_MAP_RESOURCES = frozenset(
    {
        "bootstrap",
        "awesome_markers",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers_font_css",
        "awesome_markers_css",
        "awesome_rotate_css",
    }
)
_STAMP = ".version"
_NPM_TIMEOUT_S = 300
_INLINE_BASE = "conflictmap-inline:"


def asset_places() -> list[Path]:
    """Where the assets are looked for, in order.

    ``CONFLICTMAP_ASSETS`` when it is set (relative to the working directory); else
    ``static/vendor`` under the working directory, then under the checkout the package
    runs from (``src/conflictmap`` -> the checkout), then ``vendor`` inside the installed
    package. So ``conflictmap snapshot`` works from any folder.
    """
    explicit = os.environ.get("CONFLICTMAP_ASSETS", "").strip()
    if explicit:
        return [Path(explicit).expanduser().absolute()]
    default = Path(settings.get("CONFLICTMAP_ASSETS"))
    package = Path(__file__).resolve().parent
    places = [default.absolute(), package.parents[1] / default, package / "vendor"]
    return list(dict.fromkeys(places))


def asset_dir() -> Path:
    """The folder holding the fetched assets: the first of ``asset_places()`` with every file, else the first."""
    places = asset_places()
    for place in places:
        if not missing_assets(place):
            return place
    return places[0]


def local_assets(base_url: str = APP_BASE_URL) -> dict[str, str]:
    """URLs of the local assets under ``base_url``.

    Parameters
    ----------
    base_url : str
        Where the asset folder is served, e.g. ``/app/static/vendor``.

    Returns
    -------
    dict of str to str
        folium resource name (``leaflet``, ``leaflet_css``, ``markerclusterjs``, ...)
        -> URL, plus ``leaflet_images`` -> the folder of Leaflet's marker images
        (ending in ``/``).
    """
    base = base_url.rstrip("/")
    urls = {name: f"{base}/{path}" for name, path in ASSET_FILES.items()}
    urls["leaflet_images"] = f"{base}/{LEAFLET_IMAGES}"
    return urls


def missing_assets(dest: Path | None = None) -> list[Path]:
    """Asset files that are absent or empty under ``dest`` (default ``asset_dir()``); empty when all are there."""
    root = Path(dest) if dest is not None else asset_dir()
    wanted = [root / pkg.name / target for pkg in PACKAGES for _, target in pkg.files]
    return [p for p in wanted if not p.is_file() or p.stat().st_size == 0]


# -- fetching ---------------------------------------------------------------------------------------


def _installed(pkg: NpmPackage, root: Path) -> bool:
    folder = root / pkg.name
    stamp = folder / _STAMP
    if not stamp.is_file() or stamp.read_text(encoding="utf-8").strip() != pkg.spec:
        return False
    return all((folder / t).is_file() and (folder / t).stat().st_size > 0 for _, t in pkg.files)


def _npm_pack(npm: str, pkg: NpmPackage, workdir: Path) -> Path:
    command = [npm, "pack", pkg.spec, "--json", "--loglevel=error", "--pack-destination", str(workdir)]
    # npm's default retries make an unreachable registry take minutes to report.
    command += ["--fetch-retries=1", "--fetch-retry-mintimeout=2000", "--fetch-retry-maxtimeout=10000"]
    try:
        done = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=_NPM_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        raise AssetError(f"`npm pack {pkg.spec}` took over {_NPM_TIMEOUT_S} s; is the npm registry reachable?") from exc
    if done.returncode != 0:
        try:
            detail = json.loads(done.stdout)["error"]["summary"]
        except (ValueError, KeyError, TypeError):
            detail = " ".join((done.stderr or done.stdout).strip().splitlines()[:2])
        raise AssetError(f"`npm pack {pkg.spec}` failed; is the npm registry reachable? {detail}")
    try:
        info = json.loads(done.stdout)[0]
    except (ValueError, IndexError, KeyError) as exc:
        raise AssetError(f"`npm pack {pkg.spec}` printed no package description: {done.stdout[:200]!r}") from exc
    if info.get("integrity") != pkg.integrity:
        raise AssetError(
            f"{pkg.spec} from the registry has integrity {info.get('integrity')!r}, expected {pkg.integrity!r}"
        )
    return workdir / info["filename"]


def _extract(pkg: NpmPackage, tarball: Path, folder: Path) -> list[Path]:
    written = []
    with tarfile.open(tarball, "r:gz") as tar:
        for source, target in pkg.files:
            try:
                member = tar.getmember(f"package/{source}")
            except KeyError as exc:
                raise AssetError(f"{pkg.spec} has no file {source}") from exc
            stream = tar.extractfile(member)
            if stream is None:
                raise AssetError(f"{pkg.spec}: {source} is not a regular file")
            path = folder / target
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(stream.read())
            written.append(path)
    return written


def fetch(dest: Path | None = None, *, npm: str = "npm") -> list[Path]:
    """Fetch the pinned packages from the npm registry into ``dest``; packages already there are kept.

    Parameters
    ----------
    dest : pathlib.Path, optional
        Asset folder; default ``asset_dir()``.
    npm : str
        The npm executable.

    Returns
    -------
    list of pathlib.Path
        Every asset file, each checked to exist and be non-empty.

    Raises
    ------
    AssetError
        If npm is missing, the registry cannot be reached, a tarball's hash
        differs from the pinned one or a file is missing.
    """
    root = Path(dest) if dest is not None else asset_dir()
    todo = [pkg for pkg in PACKAGES if not _installed(pkg, root)]
    if todo:
        executable = shutil.which(npm)
        if executable is None:
            raise AssetError(f"{npm!r} was not found on PATH; install Node.js and npm to fetch the map assets")
        with tempfile.TemporaryDirectory(prefix="conflictmap-assets-") as tmp:
            for pkg in todo:
                folder = root / pkg.name
                if folder.exists():
                    shutil.rmtree(folder)
                folder.mkdir(parents=True)
                _extract(pkg, _npm_pack(executable, pkg, Path(tmp)), folder)
                # Written last, so an interrupted fetch is redone next time.
                (folder / _STAMP).write_text(pkg.spec + "\n", encoding="utf-8")
    missing = missing_assets(root)
    if missing:
        raise AssetError(f"asset files missing or empty after fetching: {', '.join(map(str, missing))}")
    return [root / pkg.name / t for pkg in PACKAGES for _, t in pkg.files]


# -- pointing maps at the local copies -----------------------------------------------------------------


class LeafletImagePath(MacroElement):
    """Tells Leaflet where its default marker images are (it would guess from the CSS, too late in an iframe).

    Parameters
    ----------
    image_path : str
        Folder URL ending in ``/``; empty when ``icon_urls`` holds full URLs.
    icon_urls : dict of str to str, optional
        ``iconUrl``, ``iconRetinaUrl``, ``shadowUrl`` for the default icon (data: URIs in exports).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            L.Icon.Default.imagePath = {{ this.image_path|tojson }};
            {%- if this.icon_urls %}
            L.Icon.Default.mergeOptions({{ this.icon_urls|tojson }});
            {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, image_path: str, icon_urls: dict[str, str] | None = None):
        super().__init__()
        self._name = "LeafletImagePath"
        self.image_path = image_path
        self.icon_urls = icon_urls or {}


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)


def _needs_jquery(m: folium.Map) -> bool:
    # folium's Popup and keep_in_front call jQuery's $().
    return bool(m.objects_to_stay_in_front) or any(isinstance(e, folium.Popup) for e in _walk(m))


def _localise(element: JSCSSMixin, urls: dict[str, str], keep: frozenset[str]) -> None:
    for attr in ("default_js", "default_css"):
        resources = []
        for name, url in getattr(element, attr):
            if name in urls:
                if name in keep:
                    resources.append((name, urls[name]))
            elif name in _UNUSED_MAP_RESOURCES and isinstance(element, folium.Map):
                continue
            elif re.match(r"(?i)(https?:)?//", url):
                raise AssetError(
                    f"{type(element).__name__} needs {name} from {url}, which has no local copy; "
                    "use a layer or plugin this project ships (see conflictmap.assets.ASSET_FILES)"
                )
            else:
                resources.append((name, url))
        # An instance attribute shadows folium's class-level list, so other maps keep theirs.
        setattr(element, attr, resources)


def use_local_assets(m: folium.Map, base_url: str = APP_BASE_URL) -> folium.Map:
    """Point the map's ``<script>``/``<link>`` tags (the map's and each plugin's) at the local copies.

    Only this map's elements are changed: each gets its own ``default_js`` and
    ``default_css``. folium's links for awesome-markers and Bootstrap are
    dropped, jQuery is kept only when a folium ``Popup`` needs it. Call it
    after every layer has been added.

    Parameters
    ----------
    m : folium.Map
        The map; changed in place.
    base_url : str
        Where the asset folder is served (``/app/static/vendor`` in the app).

    Returns
    -------
    folium.Map
        ``m``, for chaining.

    Raises
    ------
    AssetError
        If an element needs a CDN resource with no local copy (e.g. ``folium.Icon``).
    """
    urls = local_assets(base_url)
    keep = frozenset(ASSET_FILES) - (set() if _needs_jquery(m) else {"jquery"})
    for element in _walk(m):
        if isinstance(element, folium.Icon):
            raise AssetError("folium.Icon needs Font Awesome from a CDN; use circle markers or a DivIcon instead")
        if isinstance(element, JSCSSMixin):
            _localise(element, urls, keep)
    for name, child in list(m._children.items()):
        if isinstance(child, LeafletImagePath):
            del m._children[name]
    m.add_child(LeafletImagePath(urls["leaflet_images"]), name="leaflet_image_path")
    # First among the map's scripts, before any marker asks for its icon.
    m._children.move_to_end("leaflet_image_path", last=False)
    _forget_rendered(m)
    return m


def _forget_rendered(m: folium.Map) -> None:
    """Drop what an earlier render left in the page, so the next render rebuilds it in tree order.

    Without this, links dropped here would stay in the header and a script
    added here would be placed after the scripts rendered before.
    """
    figure = m.get_root()
    for name, child in list(figure.header._children.items()):
        if isinstance(child, (JavascriptLink, CssLink)):
            del figure.header._children[name]
    ours = {e.get_name() for e in _walk(m)}
    for section in (figure.header, figure.html, figure.script):
        for name in [n for n in section._children if n in ours]:
            del section._children[name]


def js_literal(value: object) -> str:
    """``value`` as compact JSON that is safe inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` are written as ``\\u003c``-style escapes, so no string
    can close the script element or open a tag, whatever the data holds.

    Parameters
    ----------
    value : object
        Anything ``json.dumps`` takes; NaN is refused.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


# -- self-contained HTML ----------------------------------------------------------------------------


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _read_asset(root: Path, relative: str) -> str:
    path = root / relative
    if not path.is_file():
        raise AssetError(f"{path} is missing; run `python -m conflictmap.assets fetch` (or `make assets`)")
    text = path.read_text(encoding="utf-8")
    # Source maps are not shipped; the comment would only make browsers look for them.
    return re.sub(r"^\s*//# sourceMappingURL=.*$", "", text, flags=re.MULTILINE)


def _inline_css(css: str, folder: Path) -> str:
    def replace(match: re.Match[str]) -> str:
        target = folder / match.group(2)
        return f"url({_data_uri(target)})" if target.is_file() else match.group(0)

    return re.sub(r"url\((['\"]?)([\w./-]+\.png)\1\)", replace, css)


def inline_html(m: folium.Map, dest: Path | None = None) -> str:
    """The map as one self-contained HTML page: scripts, styles and marker images inside it.

    The page loads nothing from anywhere, so it opens offline and can be sent
    as a single file. The map is left as it was.

    Parameters
    ----------
    m : folium.Map
        A map using only assets this module ships.
    dest : pathlib.Path, optional
        Asset folder; default ``asset_dir()``.

    Returns
    -------
    str
        The HTML page.

    Raises
    ------
    AssetError
        If an asset file is missing or an element needs a resource with no local copy.
    """
    root = Path(dest) if dest is not None else asset_dir()
    missing = missing_assets(root)
    if missing:
        looked = [root] if dest is not None else asset_places()
        raise AssetError(
            f"{len(missing)} map asset file(s) missing: looked in {', '.join(str(p) for p in looked)}; "
            "run `python -m conflictmap.assets fetch` (or `make assets`), or set CONFLICTMAP_ASSETS to "
            "the folder holding them"
        )
    saved = [(e, {a: e.__dict__[a] for a in ("default_js", "default_css") if a in e.__dict__}) for e in _walk(m)]
    saved_children = dict(m._children)
    try:
        use_local_assets(m, _INLINE_BASE)
        images = root / LEAFLET_IMAGES
        m._children["leaflet_image_path"] = LeafletImagePath(
            "",
            {
                "iconUrl": _data_uri(images / "marker-icon.png"),
                "iconRetinaUrl": _data_uri(images / "marker-icon-2x.png"),
                "shadowUrl": _data_uri(images / "marker-shadow.png"),
            },
        )
        m._children["leaflet_image_path"]._parent = m
        html = m.get_root().render()
    finally:
        for element, attrs in saved:
            for attr in ("default_js", "default_css"):
                if attr in attrs:
                    setattr(element, attr, attrs[attr])
                else:
                    element.__dict__.pop(attr, None)
        m._children.clear()
        m._children.update(saved_children)
        _forget_rendered(m)
    inline_urls = local_assets(_INLINE_BASE)
    linked = re.findall(r'<script\b[^>]*\bsrc="([^"]*)"|<link\b[^>]*\bhref="([^"]*)"', html)
    foreign = [a or b for a, b in linked if (a or b) not in inline_urls.values()]
    if foreign:
        raise AssetError(f"the page links resources with no local copy: {foreign[:3]}")
    for name, relative in ASSET_FILES.items():
        url = inline_urls[name]
        if relative.endswith(".js"):
            code = _read_asset(root, relative).replace("</script", "<\\/script")
            html = html.replace(f'<script src="{url}"></script>', f"<script>{code}</script>")
        else:
            css = _inline_css(_read_asset(root, relative), (root / relative).parent)
            html = html.replace(f'<link rel="stylesheet" href="{url}"/>', f"<style>{css}</style>")
    return html


# -- command line ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m conflictmap.assets fetch [--dest DIR]``; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m conflictmap.assets", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    fetch_cmd = commands.add_parser("fetch", help="fetch the pinned Leaflet assets from the npm registry")
    fetch_cmd.add_argument("--dest", type=Path, default=None, help="asset folder (default: CONFLICTMAP_ASSETS)")
    commands.add_parser("check", help="exit 1 if any asset file is missing")
    args = parser.parse_args(argv)
    try:
        if args.command == "fetch":
            files = fetch(args.dest)
            root = Path(args.dest) if args.dest is not None else asset_dir()
            print(f"{len(files)} asset files in {root}: " + ", ".join(p.spec for p in PACKAGES))
            return 0
        missing = missing_assets()
        for path in missing:
            print(f"missing: {path}", file=sys.stderr)
        return 1 if missing else 0
    except AssetError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
