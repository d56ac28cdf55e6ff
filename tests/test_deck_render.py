"""The image renderer (queries.outputs.chart_images) tries again only when kaleido ran a figure before its tab's script
had loaded (seen under load: "kaleido_scopes is not defined"); any other error is raised."""
from __future__ import annotations

import asyncio

import pytest
from kaleido.errors import JavascriptError

from queries.outputs import chart_images


class FlakyRenderer:
    def __init__(self, errors: list[str]):
        self.errors, self.calls = list(errors), 0

    async def calc_fig(self, figure, opts):
        self.calls += 1
        if self.errors:
            raise JavascriptError(self.errors.pop(0))
        return b"png"


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    original = asyncio.sleep
    monkeypatch.setattr(asyncio, "sleep", lambda seconds: original(0))


def render(renderer) -> bytes:
    return asyncio.run(chart_images.render_one(renderer, figure=None, opts={}))


def test_a_tab_not_ready_yet_is_tried_again():
    renderer = FlakyRenderer(["ReferenceError: kaleido_scopes is not defined"])
    assert render(renderer) == b"png" and renderer.calls == 2


def test_other_errors_and_a_third_failure_are_raised():
    with pytest.raises(JavascriptError, match="Unexpected token"):
        render(FlakyRenderer(["SyntaxError: Unexpected token"]))
    renderer = FlakyRenderer(["kaleido_scopes is not defined"] * 3)
    with pytest.raises(JavascriptError):
        render(renderer)
    assert renderer.calls == 3
