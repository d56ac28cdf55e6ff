"""研判·人员 and 村居地图 in a real headless Chromium: four viewports, normal and presentation
mode; the charts draw (the map with its village polygons), nothing fails, and no request
leaves localhost (the map has no tile server, no topojson). Screenshots in test-artifacts/."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from test_browser import ARTIFACTS, CHROMIUM, serve

VIEWPORTS = [(1280, 720), (1366, 768), (1920, 1080), (390, 844)]
PAGES = [("people", "研判·人员"), ("map", "村居地图")]

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's /usr/bin/chromium")]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    from queries.demo.database import build_demo
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(path)
    return path


@pytest.fixture(scope="module")
def app(demo_db):
    yield from serve(demo_db)


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api").sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--no-first-run"])
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.mark.parametrize("present", [False, True], ids=["normal", "present"])
@pytest.mark.parametrize("width,height", VIEWPORTS, ids=[f"{w}x{h}" for w, h in VIEWPORTS])
@pytest.mark.parametrize("path,title", PAGES, ids=[p for p, _ in PAGES])
def test_page_draws_offline(app, browser, path, title, width, height, present):
    page = browser.new_page(viewport={"width": width, "height": height})
    outside = []
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname not in (
        "127.0.0.1", "localhost", None) and not r.url.startswith("data:") else None)
    page.goto(f"{app}/{path}" + ("?present=1" if present else ""), wait_until="domcontentloaded")
    page.wait_for_selector("[data-testid=stPlotlyChart] .main-svg", timeout=90_000)
    page.wait_for_timeout(2000)
    if path == "map":   # the village polygons are drawn: filled paths in the scatter layer
        assert page.locator("[data-testid=stPlotlyChart] .scatterlayer .js-fill").count() >= 3
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{path}-{width}x{height}{'-present' if present else ''}.png"),
                    full_page=True)
    assert page.locator("[data-testid=stException]").count() == 0
    text = page.inner_text("body")
    page.close()
    assert title in text and "Traceback" not in text
    assert outside == []



def test_a_click_on_a_village_opens_its_details(app, browser):
    """The map's click is the drill-down: the village under the pointer (read from the figure's
    own data, not assumed) is the one 村居排名 then shows, and the URL says so."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{app}/map", wait_until="domcontentloaded")
    markers = "[data-testid=stPlotlyChart] .scatterlayer .trace:last-child .point"
    page.wait_for_selector(markers, timeout=90_000)
    page.wait_for_timeout(1000)
    index = 7
    township, village = page.evaluate(
        "(i) => { const plot = document.querySelector('[data-testid=stPlotlyChart] .js-plotly-plot');"
        " return plot.data[plot.data.length - 1].customdata[i]; }", index)
    marker = page.locator(markers).nth(index)
    marker.scroll_into_view_if_needed()
    box = marker.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**/ranking**", timeout=30_000)
    page.wait_for_selector("text=村(社区)详情", timeout=30_000)
    page.wait_for_timeout(1500)
    url = page.url
    picker = page.locator("[data-testid=stSelectbox]").filter(has_text="选择村(社区)")
    chosen = picker.inner_text() + " " + " ".join(picker.locator("input").evaluate_all("els => els.map(e => e.value)"))
    page.close()
    assert f"{township} · {village}" in chosen, chosen
    assert f"vil={township}/{village}" in unquote(url)
