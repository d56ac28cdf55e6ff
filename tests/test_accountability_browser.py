"""The 责任落实 page in headless Chromium at four viewports, normal and presentation mode:
drawn without an exception, nothing wider than the screen, no request leaving localhost;
screenshots under test-artifacts/accountability-*.png."""
from __future__ import annotations

from urllib.parse import urlparse

import pytest

from test_browser import ARTIFACTS, CHROMIUM, browser, serve  # noqa: F401  (fixture)

VIEWPORTS = [(1280, 720), (1366, 768), (1920, 1080), (390, 844)]

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(),
                                                      reason="needs Debian's /usr/bin/chromium")]


@pytest.fixture(scope="module")
def app(demo_db):
    yield from serve(demo_db)


@pytest.mark.parametrize("present", [False, True])
@pytest.mark.parametrize("width,height", VIEWPORTS)
def test_accountability_page_draws(app, browser, width, height, present):  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": height})
    outside = []
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname not in (
        "127.0.0.1", "localhost", None) and not r.url.startswith("data:") else None)
    page.goto(f"{app}/accountability" + ("?present=1" if present else ""), wait_until="domcontentloaded")
    page.wait_for_selector("text=责任单位办理情况", timeout=90_000)
    page.wait_for_selector("text=坐班到岗率", timeout=90_000)   # the last section drawn
    page.wait_for_timeout(1500)
    collapse = page.locator("[data-testid=stSidebarCollapseButton] button")
    if width < 640 and collapse.count():   # on a phone the open sidebar covers the page
        collapse.first.click()
        page.wait_for_timeout(800)
    ARTIFACTS.mkdir(exist_ok=True)
    name = f"accountability-{width}x{height}{'-present' if present else ''}.png"
    page.screenshot(path=str(ARTIFACTS / name))
    for number, heading in enumerate(("县级领导接访情况", "交办件办理进度", "坐班接访安排与到岗率"), start=2):
        page.get_by_text(heading, exact=True).scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / name.replace(".png", f"-{number}.png")))
    assert page.locator("[data-testid=stException]").count() == 0
    text = page.inner_text("body")
    assert "责任单位办理情况" in text and "交办件办理进度" in text and "坐班到岗率" in text
    assert "Traceback" not in text
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    assert outside == []
    page.close()
