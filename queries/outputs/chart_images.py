"""Plotly figures to PNG through kaleido and Debian's Chromium (the deck's charts, the map):
one browser for a whole batch, a timeout on every image, one retry rule."""
from __future__ import annotations

import asyncio

import kaleido
import plotly.graph_objects as go
from kaleido.errors import JavascriptError as KaleidoJavascriptError


def pngs(figures: dict[str, go.Figure | None], opts: dict) -> dict[str, bytes | None]:
    """A PNG per figure (None stays None), rendered with kaleido's `opts` (format, size, scale)."""
    names = [name for name, figure in figures.items() if figure is not None]
    images = dict(zip(names, asyncio.run(_render_all([(figures[n], opts) for n in names]))))
    return {name: images.get(name) for name in figures}


async def _render_all(jobs: list[tuple[go.Figure, dict]]) -> list[bytes]:
    # One browser for the whole deck. Not kaleido's sync server: when the browser cannot
    # start, that one waits forever, where this raises (and every image has a timeout).
    async with kaleido.Kaleido(n=1, mathjax=False, timeout=60) as renderer:
        return [await render_one(renderer, figure, opts) for figure, opts in jobs]


async def render_one(renderer, figure: go.Figure, opts: dict, attempts: int = 3) -> bytes:
    """One image. On a busy machine kaleido 1.5 may run the figure before its tab has loaded
    its own script ("kaleido_scopes is not defined"): that error alone is tried again."""
    for attempt in range(attempts):
        try:
            return await renderer.calc_fig(figure, opts=opts)
        except KaleidoJavascriptError as error:
            if "is not defined" not in str(error) or attempt == attempts - 1:
                raise
            await asyncio.sleep(1 + attempt)
