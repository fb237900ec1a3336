"""Local Leaflet assets: the fetched files, maps pointed at them, and self-contained pages."""

from __future__ import annotations

import json
import re
import shutil

import folium
import pytest
from folium.plugins import MarkerCluster

from conflictmap import assets
from conflictmap.assets import (
    ASSET_FILES,
    AssetError,
    asset_dir,
    fetch,
    inline_html,
    js_literal,
    local_assets,
    missing_assets,
    use_local_assets,
)
from conflictmap.mapview import build_map

TAG = re.compile(r"<(?:script|link)\b[^>]*>")


def linked_urls(page: str) -> list[str]:
    return re.findall(r'<script\b[^>]*\bsrc="([^"]*)"|<link\b[^>]*\bhref="([^"]*)"', page)


def external_tags(page: str) -> list[str]:
    return [t for t in TAG.findall(page) if re.search(r"(src|href)=\"(https?:)?//", t)]


@pytest.fixture
def cluster_map() -> folium.Map:
    m = folium.Map(location=[14, -4], zoom_start=5, tiles=None)
    cluster = MarkerCluster(name="events").add_to(m)
    folium.CircleMarker([14.5, -4.2], radius=5).add_to(cluster)
    folium.Marker([12.6, -8.0]).add_to(m)
    return m


def test_fetched_files_exist_and_are_not_empty():
    # `make` fetches them before the tests run (python -m conflictmap.assets fetch).
    assert missing_assets() == [], "run `make assets` to fetch Leaflet from the npm registry"
    for relative in ASSET_FILES.values():
        assert (asset_dir() / relative).stat().st_size > 0


def test_fetch_again_keeps_what_is_there_without_npm():
    # Everything is in place, so npm is never asked for: a missing npm does not matter.
    files = fetch(asset_dir(), npm="no-such-npm-executable")
    assert {p.relative_to(asset_dir()).as_posix() for p in files} >= set(ASSET_FILES.values())


def test_fetch_without_npm_says_so(tmp_path):
    with pytest.raises(AssetError, match="'no-such-npm-executable' was not found on PATH"):
        fetch(tmp_path, npm="no-such-npm-executable")


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")
def test_fetch_with_unreachable_registry_says_so(tmp_path, monkeypatch):
    # Port 9 on this machine refuses connections: npm fails fast, and nothing leaves the host.
    monkeypatch.setenv("npm_config_registry", "http://127.0.0.1:9/")
    monkeypatch.setenv("npm_config_cache", str(tmp_path / "npm-cache"))
    with pytest.raises(AssetError, match="is the npm registry reachable"):
        fetch(tmp_path / "vendor")
    assert not (tmp_path / "vendor" / "leaflet" / ".version").exists()


def test_command_line_reports_errors_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert assets.main(["fetch", "--dest", str(tmp_path / "vendor")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m conflictmap.assets: error: 'npm' was not found")
    assert "Traceback" not in err


def test_local_assets_names_every_file_under_the_base_url():
    urls = local_assets("/app/static/vendor/")
    assert urls["leaflet"] == "/app/static/vendor/leaflet/leaflet.js"
    assert urls["markerclusterjs"] == "/app/static/vendor/leaflet.markercluster/leaflet.markercluster.js"
    assert urls["leaflet_images"] == "/app/static/vendor/leaflet/images/"


def test_use_local_assets_leaves_no_remote_script_or_link(cluster_map):
    assert external_tags(cluster_map.get_root().render())  # folium's own defaults point at CDNs
    page = use_local_assets(cluster_map, "/app/static/vendor").get_root().render()
    assert external_tags(page) == []
    linked = {a or b for a, b in linked_urls(page)}
    assert linked == {
        "/app/static/vendor/leaflet/leaflet.js",
        "/app/static/vendor/leaflet/leaflet.css",
        "/app/static/vendor/leaflet.markercluster/leaflet.markercluster.js",
        "/app/static/vendor/leaflet.markercluster/MarkerCluster.css",
        "/app/static/vendor/leaflet.markercluster/MarkerCluster.Default.css",
    }
    # The image path is set before any marker is created.
    assert page.index('L.Icon.Default.imagePath = "/app/static/vendor/leaflet/images/"') < page.index("L.marker(")


def test_jquery_is_kept_only_when_a_folium_popup_needs_it(cluster_map):
    folium.Marker([13, -5], popup="a popup").add_to(cluster_map)
    page = use_local_assets(cluster_map).get_root().render()
    assert '<script src="/app/static/vendor/jquery/jquery.min.js"></script>' in page
    assert external_tags(page) == []


def test_other_maps_keep_folium_defaults(cluster_map):
    use_local_assets(cluster_map)
    other = folium.Map()
    MarkerCluster().add_to(other)
    page = other.get_root().render()
    assert external_tags(page), "use_local_assets must not change folium's class-level defaults"
    assert "/app/static/vendor" not in page


def test_awesome_marker_icons_are_refused():
    m = folium.Map(tiles=None)
    folium.Marker([12, -8], icon=folium.Icon(color="red")).add_to(m)
    with pytest.raises(AssetError, match=r"folium\.Icon"):
        use_local_assets(m)


def test_inline_html_is_self_contained(make_events):
    m = build_map(make_events({}, {"geo_precision": 3}), mode="clusters")
    before = m.get_root().render()
    page = inline_html(m)
    assert linked_urls(page) == []
    assert external_tags(page) == []
    assert "Leaflet 1.9.4" in page  # the library itself is inside
    assert "MarkerClusterGroup" in page
    assert ".leaflet-control-layers-toggle{" in page.replace(" ", "") or ".leaflet-control-layers-toggle {" in page
    assert "url(data:image/png;base64," in page  # layer-control icons
    icon_urls = json.loads(re.search(r"L\.Icon\.Default\.mergeOptions\((\{[^\n]*\})\);", page).group(1))
    assert all(v.startswith("data:image/png;base64,") for v in icon_urls.values())
    assert "sourceMappingURL" not in page
    # The map itself still links the served files afterwards.
    assert linked_urls(m.get_root().render()) == linked_urls(before)


def test_inline_html_without_fetched_assets_says_how_to_fetch(make_events, tmp_path):
    with pytest.raises(AssetError, match=r"conflictmap\.assets fetch"):
        inline_html(build_map(make_events({})), tmp_path)


@pytest.mark.parametrize(
    "value",
    ["</script><script>alert(1)</script>", "<!--", "a & b", "line\u2028separator", {"k": ["<b>", 1.5]}],
)
def test_js_literal_cannot_break_out_of_a_script(value):
    text = js_literal(value)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == value
