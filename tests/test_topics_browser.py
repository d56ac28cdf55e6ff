"""研判·诉求 in a real headless Chromium at four viewports, normal and presentation mode: the
Chinese title, a drawn chart, no exception, nothing wider than the window, no request leaving
localhost; screenshots under test-artifacts/topics-*.png."""
from __future__ import annotations

import pytest

from test_browser import ARTIFACTS, CHROMIUM, browser, serve  # noqa: F401  (fixtures)

VIEWPORTS = [(1280, 720), (1366, 768), (1920, 1080), (390, 844)]
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason="needs Chromium")]


@pytest.fixture(scope="module")
def app(demo_db):
    yield from serve(demo_db)


@pytest.mark.parametrize("present", [False, True], ids=["normal", "present"])
@pytest.mark.parametrize("width,height", VIEWPORTS, ids=[f"{w}x{h}" for w, h in VIEWPORTS])
def test_topics_page_draws(app, browser, width, height, present):
    from urllib.parse import urlparse
    page = browser.new_page(viewport={"width": width, "height": height})
    outside = []
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname not in (
        "127.0.0.1", "localhost", None) and not r.url.startswith("data:") else None)
    page.goto(f"{app}/topics" + ("?present=1" if present else ""), wait_until="domcontentloaded")
    page.wait_for_selector("[data-testid=stPlotlyChart] .main-svg", timeout=90_000)
    if not present:  # the last section draws last
        page.wait_for_selector("text=相似来访", timeout=60_000)
    page.wait_for_timeout(1500)
    ARTIFACTS.mkdir(exist_ok=True)
    name = f"topics-{width}x{height}-{'present' if present else 'normal'}.png"
    page.screenshot(path=str(ARTIFACTS / name))
    if not present:   # the lower sections, scrolled into view (the app scrolls inside its own container)
        for number, heading in enumerate(("新出现的问题", "诉求群体", "相似来访"), start=2):
            page.locator(f"h3:has-text('{heading}')").scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            page.screenshot(path=str(ARTIFACTS / name.replace(".png", f"-{number}.png")))
    text = page.inner_text("body")
    assert "研判·诉求" in text and "Traceback" not in text
    assert page.locator("[data-testid=stException]").count() == 0
    assert present or ("新出现的问题" in text and "诉求群体" in text and "相似来访" in text)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    page.close()
    assert outside == []
