"""Animated maps: the filtered events played by day, week or month, written as GIF (or MP4 with ffmpeg).

Each frame carries the title, the filter, the legend, the frame's date stamp
and the provenance line (tool, dataset citations, when made). Frames are drawn
with Pillow on a fixed Web Mercator view of all the events, over the offline
basemap's country outlines and the shipped region borders, so every frame has
the same geography and only the events move. Events with imprecise dates are
drawn as rings for their whole window (see ``conflictmap.playback``); exact
ones as dots. Above ``POINTS_LIMIT`` events in a frame, a grid of counts is
drawn instead, as the maps do.

The GIF's comment holds the provenance as JSON, with the frames' date stamps
in ``drawing["frames"]``.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image, ImageDraw, ImageFont

from conflictmap import areas, basemap
from conflictmap.export.provenance import Provenance, SourceInfo, make_provenance
from conflictmap.filters import FilterSpec
from conflictmap.mapview import EVENT_TYPE_COLORS, GRID_COLORS, UNKNOWN_TYPE_COLOR
from conflictmap.playback import Playback

#: File kinds an animation is written as.
ANIMATION_KINDS: tuple[str, ...] = ("gif", "mp4", "html")
#: Frame size in pixels.
FRAME_SIZE: tuple[int, int] = (960, 720)
#: Frames per second of the animation.
DEFAULT_FPS = 2.0
#: Above this many events in a frame, a grid of counts is drawn instead of dots.
POINTS_LIMIT = 20_000
_TITLE_H, _FOOT_H, _LEGEND_W = 64, 26, 232
_EARTH_R = 6_378_137.0
_BACKGROUND = (236, 242, 246)
_LAND, _BORDER, _REGION = (250, 249, 245), (150, 150, 150), (190, 190, 205)


class AnimationError(ValueError):
    """An animation that cannot be written: the message says why and what would work."""


@functools.cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans from matplotlib's package data (accents included), else Pillow's own font."""
    spec = importlib.util.find_spec("matplotlib")
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    if spec and spec.submodule_search_locations:
        path = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf" / name
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def _mercator(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lat = np.clip(np.asarray(lat, dtype=float), -85.0, 85.0)
    return _EARTH_R * np.radians(np.asarray(lon, dtype=float)), _EARTH_R * np.log(
        np.tan(np.pi / 4 + np.radians(lat) / 2)
    )


class _View:
    """Degrees to pixels inside the map box, equal scales, the events' extent in the middle."""

    def __init__(self, bounds: tuple[float, float, float, float], box: tuple[int, int, int, int]) -> None:
        west, south, east, north = bounds
        xs, ys = _mercator(np.array([west, east]), np.array([south, north]))
        left, top, right, bottom = box
        width, height = right - left, bottom - top
        span_x, span_y = max(xs[1] - xs[0], 1.0), max(ys[1] - ys[0], 1.0)
        self.scale = min(width / span_x, height / span_y)
        self.x0 = xs[0] - (width / self.scale - span_x) / 2
        self.y1 = ys[1] + (height / self.scale - span_y) / 2
        self.left, self.top = left, top

    def pixels(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = _mercator(lon, lat)
        return self.left + (x - self.x0) * self.scale, self.top + (self.y1 - y) * self.scale


def _bounds(events: pd.DataFrame) -> tuple[float, float, float, float]:
    if len(events) == 0:
        return tuple(float(v) for v in areas.load_boundaries().total_bounds)  # Mali
    lon, lat = events["longitude"].to_numpy(dtype=float), events["latitude"].to_numpy(dtype=float)
    west, east, south, north = np.nanmin(lon), np.nanmax(lon), np.nanmin(lat), np.nanmax(lat)
    pad = max(0.3, 0.05 * max(east - west, north - south))
    return (float(west - pad), float(south - pad), float(east + pad), float(north + pad))


def _rings(geometry: object) -> list[np.ndarray]:
    out = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon is None or polygon.is_empty:
            continue
        out.append(np.asarray(polygon.exterior.coords))
        out.extend(np.asarray(r.coords) for r in polygon.interiors)
    return out


def _base_image(view: _View, size: tuple[int, int], map_box: tuple[int, int, int, int]) -> Image.Image:
    """The frame without events: background, countries, region borders (drawn once, copied per frame)."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle(map_box, fill=_BACKGROUND)
    for geometry in basemap.countries().geometry:
        for ring in _rings(geometry):
            x, y = view.pixels(ring[:, 0], ring[:, 1])
            draw.polygon(list(zip(x.tolist(), y.tolist(), strict=True)), fill=_LAND, outline=_BORDER)
    for geometry in areas.load_boundaries("admin1").geometry:
        for ring in _rings(geometry):
            x, y = view.pixels(ring[:, 0], ring[:, 1])
            draw.line(list(zip(x.tolist(), y.tolist(), strict=True)), fill=_REGION, width=1)
    # The map box's frame drawn last, over the outlines that leave it.
    left, top, right, bottom = map_box
    draw.rectangle((0, 0, size[0], top - 1), fill="white")
    draw.rectangle((0, bottom + 1, size[0], size[1]), fill="white")
    draw.rectangle((right + 1, 0, size[0], size[1]), fill="white")
    draw.rectangle((0, 0, left - 1, size[1]), fill="white")
    draw.rectangle(map_box, outline=(120, 120, 120))
    return image


def _fit(text: str, font: ImageFont.ImageFont, width: int) -> str:
    """``text`` cut with an ellipsis to fit ``width`` pixels."""
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text + "…"


def provenance_line(prov: Provenance) -> str:
    """The line at the foot of each frame: tool, citations, when made."""
    cites = "; ".join(prov.attributions()) or "no dataset"
    return f"{prov.tool} · {prov.created[:10]} · {prov.events:,} events · {cites}"


def stamp_box(size: tuple[int, int] = FRAME_SIZE) -> tuple[int, int, int, int]:
    """Where the date stamp is drawn: (left, top, right, bottom) in pixels."""
    width = size[0]
    return (width - _LEGEND_W - 300, _TITLE_H + 8, width - _LEGEND_W - 12, _TITLE_H + 44)


def draw_stamp(image: Image.Image, label: str) -> tuple[int, int, int, int]:
    """Write a frame's date stamp in its box (right-aligned, white under it); returns the rectangle drawn."""
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = stamp_box(image.size)
    font = _font(24, bold=True)
    rect = (max(left, right - round(font.getlength(label)) - 12), top, right, bottom)
    draw.rectangle(rect, fill="white", outline=(120, 120, 120))
    draw.text((right - 6, (top + bottom) / 2), label, font=font, fill=(20, 20, 20), anchor="rm")
    return rect


def _draw_legend(draw: ImageDraw.ImageDraw, size: tuple[int, int], grid_breaks: Sequence[int] | None) -> None:
    x, y = size[0] - _LEGEND_W + 10, _TITLE_H + 8
    head, body = _font(14, bold=True), _font(12)
    if grid_breaks:
        draw.text((x, y), "Events per cell", font=head, fill=(20, 20, 20))
        y += 22
        uppers = [*(b - 1 for b in grid_breaks[1:]), None]
        for colour, low, high in zip(GRID_COLORS, grid_breaks, uppers, strict=False):
            draw.rectangle((x, y + 1, x + 12, y + 13), fill=_rgb(colour))
            label = f"{low:,}+" if high is None else (f"{low:,}" if high == low else f"{low:,}–{high:,}")
            draw.text((x + 18, y), label, font=body, fill=(30, 30, 30))
            y += 18
        y += 8
        for line in ("Events with imprecise dates", "count in every frame of", "their week / month."):
            draw.text((x, y), line, font=body, fill=(60, 60, 60))
            y += 15
        return
    draw.text((x, y), "Event type", font=head, fill=(20, 20, 20))
    y += 22
    for name, colour in EVENT_TYPE_COLORS.items():
        draw.ellipse((x, y + 2, x + 10, y + 12), fill=_rgb(colour))
        draw.text((x + 18, y), _fit(name, body, _LEGEND_W - 30), font=body, fill=(30, 30, 30))
        y += 18
    y += 10
    draw.text((x, y), "Date", font=head, fill=(20, 20, 20))
    y += 22
    draw.ellipse((x, y + 2, x + 10, y + 12), fill=(90, 90, 90))
    draw.text((x + 18, y), "exact day", font=body, fill=(30, 30, 30))
    y += 18
    draw.ellipse((x, y + 2, x + 10, y + 12), outline=(90, 90, 90), width=2)
    draw.text((x + 18, y), "imprecise: shown for", font=body, fill=(30, 30, 30))
    y += 15
    draw.text((x + 18, y), "its whole week / month", font=body, fill=(30, 30, 30))


def _class_breaks(counts: np.ndarray) -> list[int]:
    top = int(counts.max()) if len(counts) else 1
    return np.unique(np.floor(np.geomspace(1, max(top, 1) + 1, len(GRID_COLORS) + 1)[:-1]).astype(int)).tolist()


class FrameRenderer:
    """Draws the frames of one playback; the base map is drawn once.

    Parameters
    ----------
    playback : Playback
    prov : Provenance
        Of the whole animation (title, filter, citations).
    size : (int, int)
        Pixels.
    """

    def __init__(self, playback: Playback, prov: Provenance, size: tuple[int, int] = FRAME_SIZE) -> None:
        self.playback = playback
        self.prov = prov
        self.size = size
        width, height = size
        self.map_box = (8, _TITLE_H, width - _LEGEND_W, height - _FOOT_H)
        self.view = _View(_bounds(playback.events), self.map_box)
        self.base = _base_image(self.view, size, self.map_box)
        draw = ImageDraw.Draw(self.base)
        draw.text((12, 6), _fit(prov.title, _font(22, bold=True), width - 24), font=_font(22, bold=True), fill="black")
        filter_line = f"Filter: {prov.filter_text} · by {playback.step}, {playback.mode}"
        draw.text((12, 36), _fit(filter_line, _font(13), width - 24), font=_font(13), fill=(40, 40, 40))
        foot = _fit(provenance_line(prov), _font(11), width - 24)
        draw.text((12, height - _FOOT_H + 6), foot, font=_font(11), fill=(70, 70, 70))
        # The grid's classes are those of the busiest frame, so colours mean the same in every frame.
        # Cells of about 12 pixels, in steps of 0.05 degree.
        self.cell_deg = max(0.05, round(12 / self.view.scale / 111_320.0 * 20) / 20)
        self.points = all(int(playback.mask(i).sum()) <= POINTS_LIMIT for i in range(len(playback)))
        self.breaks = None
        if not self.points:
            busiest = max(range(len(playback)), key=lambda i: int(playback.mask(i).sum()))
            self.breaks = _class_breaks(playback.grid(busiest, self.cell_deg)["events"].to_numpy())
        _draw_legend(draw, size, self.breaks)

    def render(self, index: int) -> Image.Image:
        """Frame ``index`` as an RGB image."""
        image = self.base.copy()
        draw = ImageDraw.Draw(image)
        if self.points:
            self._draw_points(draw, index)
        else:
            self._draw_grid(draw, index)
        # Re-frame the map box over any marker that crossed its edge.
        draw.rectangle(self.map_box, outline=(120, 120, 120))
        draw_stamp(image, self.playback.frames[index].label)
        return image

    def _draw_points(self, draw: ImageDraw.ImageDraw, index: int) -> None:
        shown = self.playback.frame_events(index)
        if len(shown) == 0:
            return
        x, y = self.view.pixels(shown["longitude"].to_numpy(), shown["latitude"].to_numpy())
        colours = [_rgb(EVENT_TYPE_COLORS.get(str(t), UNKNOWN_TYPE_COLOR)) for t in shown["event_type"].astype(object)]
        left, top, right, bottom = self.map_box
        # Imprecise first, so exact dots stay on top.
        for vague in (True, False):
            for xi, yi, colour, flag in zip(x, y, colours, shown["imprecise"].to_numpy(), strict=True):
                if flag != vague or not (left < xi < right and top < yi < bottom):
                    continue
                if vague:
                    draw.ellipse((xi - 5, yi - 5, xi + 5, yi + 5), outline=colour, width=2)
                else:
                    draw.ellipse((xi - 4, yi - 4, xi + 4, yi + 4), fill=colour, outline=(40, 40, 40))

    def _draw_grid(self, draw: ImageDraw.ImageDraw, index: int) -> None:
        cells = self.playback.grid(index, self.cell_deg)
        half = self.cell_deg / 2
        x0, y0 = self.view.pixels(cells["lon"].to_numpy() - half, cells["lat"].to_numpy() + half)
        x1, y1 = self.view.pixels(cells["lon"].to_numpy() + half, cells["lat"].to_numpy() - half)
        ramp = [_rgb(c) for c in GRID_COLORS]
        klass = np.searchsorted(np.asarray(self.breaks), cells["events"].to_numpy(), side="right") - 1
        for a, b, c, d, k in zip(x0, y0, x1, y1, klass, strict=True):
            draw.rectangle((a, b, c, d), fill=ramp[max(0, min(k, len(ramp) - 1))])


def animation_provenance(
    events: pd.DataFrame,
    spec: FilterSpec,
    kind: str,
    *,
    title: str,
    step: str,
    mode: str,
    labels: Sequence[str],
    sources: Sequence[SourceInfo] = (),
    base_url: str | None = None,
    view_params: dict[str, str | list[str]] | None = None,
) -> Provenance:
    """The provenance of an animation: the export's, with the step, mode and frame stamps in ``drawing``."""
    prov = make_provenance(events, spec, kind, title=title, sources=sources, base_url=base_url, view_params=view_params)
    return replace(prov, drawing={"mode": "playback", "animate": step, "playback": mode, "frames": list(labels)})


def write_animation(
    events: pd.DataFrame,
    spec: FilterSpec,
    path: str | Path,
    *,
    step: str = "week",
    mode: str = "window",
    title: str | None = None,
    sources: Sequence[SourceInfo] = (),
    base_url: str | None = None,
    view_params: dict[str, str | list[str]] | None = None,
    fps: float = DEFAULT_FPS,
    size: tuple[int, int] = FRAME_SIZE,
) -> Provenance:
    """Write the filtered events as an animation, one frame per day, week or month.

    Parameters
    ----------
    events : pandas.DataFrame
        The whole canonical table; ``spec`` is applied here.
    spec : FilterSpec
        The view's filter; its dates (or the events' span) give the frames.
    path : str or pathlib.Path
        ``.gif``, or ``.mp4`` when ffmpeg is installed.
    step : {"day", "week", "month"}
    mode : {"window", "cumulative"}
    title : str, optional
    sources : sequence of SourceInfo
        The files read, for the provenance.
    base_url, view_params : optional
        For the view URL in the provenance.
    fps : float
        Frames per second.
    size : (int, int)
        Frame size in pixels.

    Returns
    -------
    Provenance
        With ``drawing["frames"]``: the date stamps, in order.

    Raises
    ------
    AnimationError
        On a kind other than GIF/MP4, MP4 without ffmpeg, or a bad speed.
    conflictmap.playback.PlaybackError
        On a bad step or mode, or too many frames.
    """
    path = Path(path)
    kind = path.suffix.lower().lstrip(".")
    if kind not in ANIMATION_KINDS:
        raise AnimationError(
            f"{path.name}: an animation is written as .gif, .mp4 or .html, not {path.suffix or 'no suffix'}"
        )
    if kind == "mp4" and shutil.which("ffmpeg") is None:
        raise AnimationError("writing .mp4 needs ffmpeg (Debian: apt-get install ffmpeg); .gif works without it")
    if not 0.1 <= fps <= 30:
        raise AnimationError(f"fps {fps} is out of range; expected 0.1 to 30")
    shown = spec.apply(events)
    play = Playback(shown, step, mode, spec.date_from, spec.date_to)
    labels = [f.label for f in play.frames]
    from conflictmap.export import default_title

    prov = animation_provenance(
        shown,
        spec,
        kind,
        title=title or default_title(shown),
        step=step,
        mode=mode,
        labels=labels,
        sources=sources,
        base_url=base_url,
        view_params=view_params,
    )
    if kind == "html":
        path.write_text(playback_page(play, prov, fps=fps), encoding="utf-8")
        return prov
    renderer = FrameRenderer(play, prov, size)
    frames = [renderer.render(i) for i in range(len(play))]
    if kind == "gif":
        _write_gif(frames, path, fps, json.dumps(prov.to_dict(), ensure_ascii=False))
    else:
        _write_mp4(frames, path, fps)
    return prov


def playback_page(play: Playback, prov: Provenance, *, fps: float = DEFAULT_FPS) -> str:
    """The animation as one offline HTML page: the map with its play/pause, step, speed and slider controls.

    The snapshot's header (title, filter, datasets, provenance JSON) sits above the map; every
    script is inlined, so the file plays with no connection. Frames go to the page once
    (``arealayers.playback_data``: events up to a bound, else counts per cell).
    """
    import folium

    from conflictmap import arealayers
    from conflictmap.assets import inline_html
    from conflictmap.export.html import SnapshotHeader

    west, south, east, north = _bounds(play.events)
    m = folium.Map(tiles=None, control_scale=True, prefer_canvas=False)
    basemap.add_basemap(m)
    arealayers.add_area_borders(m)
    m.fit_bounds([[south, west], [north, east]])
    arealayers.add_playback_control(m, play, fps=min([0.5, 1, 2, 4], key=lambda s: abs(s - fps)))
    m.add_child(SnapshotHeader(prov))
    return inline_html(m)


def _write_gif(frames: list[Image.Image], path: Path, fps: float, comment: str) -> None:
    # One shared palette from the first frames keeps colours steady and the file small.
    palette_from = frames[0].quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    paletted = [f.quantize(palette=palette_from, dither=Image.Dither.NONE) for f in frames]
    paletted[0].save(
        path,
        save_all=True,
        append_images=paletted[1:],
        duration=round(1000 / fps),
        loop=0,
        optimize=False,
        disposal=1,
        comment=comment.encode("utf-8"),
    )


def _write_mp4(frames: list[Image.Image], path: Path, fps: float) -> None:
    with tempfile.TemporaryDirectory(prefix="conflictmap-frames-") as folder:
        for i, frame in enumerate(frames):
            frame.save(Path(folder) / f"frame{i:05d}.png")
        command = [
            "ffmpeg", "-y", "-loglevel", "error", "-framerate", f"{fps:g}",
            "-i", str(Path(folder) / "frame%05d.png"),
            "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path),
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise AnimationError(f"ffmpeg could not write {path.name}: {done.stderr.strip()[:300]}")


def read_animation_provenance(path: str | Path) -> dict[str, object]:
    """The provenance stored in a GIF written by ``write_animation``, as a dict."""
    with Image.open(path) as image:
        comment = image.info.get("comment", b"")
    try:
        return json.loads(comment.decode("utf-8") if isinstance(comment, bytes) else comment)
    except (ValueError, AttributeError):
        raise AnimationError(f"{Path(path).name} holds no conflictmap provenance") from None
