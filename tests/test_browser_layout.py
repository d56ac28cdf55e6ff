"""The screens a 信访办 has: 1280×720 and 1366×768 (laptops, projectors), 1920×1080, a phone at
390×844; normal and presentation mode. On each, no metric value, metric name, change or table
cell is cut ("…" or clipped: an element narrower than its text), a phone starts with the sidebar
closed and two cards a row, and every village of the ranking chart is named.

Screenshots go to test-artifacts/layout-<page>-<mode>-<width>x<height>.png (look at them).
"""
from __future__ import annotations

import pytest

from queries import db
from queries.metrics.kpi import rank
from test_browser import ARTIFACTS, CHROMIUM, browser, serve  # noqa: F401 (fixtures)

VIEWPORTS = [(1280, 720), (1366, 768), (1920, 1080), (390, 844)]
PAGES = ["", "ranking", "skip_level", "trends"]
SCREENS = ["四升", "三个100%", "五不", "告警与向好", "村居排名"]   # presentation screens of 总览 after 三降
# Every element whose text must be whole, and each of its descendants: clipped when its content
# is wider than its box (what text-overflow: ellipsis and overflow: hidden hide).
CLIPPED_JS = """() => {
  const selector = '[data-testid=stMetricValue], [data-testid=stMetricLabel], [data-testid=stMetricDelta],'
    + ' [data-testid=stTable] th, [data-testid=stTable] td, [data-testid=stHeading], [data-testid=stCaptionContainer]';
  const clipped = [];
  for (const element of document.querySelectorAll(selector)) {
    for (const part of [element, ...element.querySelectorAll('*')]) {
      if (part.clientWidth > 0 && part.scrollWidth > part.clientWidth + 1) {
        clipped.push(`${element.getAttribute('data-testid') || element.tagName}: ${element.innerText.slice(0, 40)}`
                     + ` (${part.scrollWidth} > ${part.clientWidth})`);
        break;
      }
    }
  }
  return clipped;
}"""

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason="needs /usr/bin/chromium")]


@pytest.fixture(scope="module")
def app(demo_db):
    yield from serve(demo_db)


def open_page(browser, url: str, size: tuple[int, int], wait: str):  # noqa: F811
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(wait, timeout=90_000)
    page.wait_for_timeout(1500)   # fonts and the last elements settle
    assert page.locator("[data-testid=stException]").count() == 0
    return page


def check(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"layout-{name}.png"))
    assert page.evaluate(CLIPPED_JS) == []


@pytest.mark.parametrize("size", VIEWPORTS, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("present", [False, True], ids=["normal", "present"])
@pytest.mark.parametrize("path", PAGES, ids=lambda p: p or "overview")
def test_nothing_is_cut(app, browser, path, present, size):  # noqa: F811
    wait = "[data-testid=stMetric]" if path in ("", "skip_level", "trends") else "[data-testid=stPlotlyChart] .main-svg" \
        if present else "[data-testid=stDataFrame], [data-testid=stTable]"
    page = open_page(browser, f"{app}/{path}?present={int(present)}", size, wait)
    if path == "":
        assert page.locator("[data-testid=stMetric]").count() >= 5
    check(page, f"{path or 'overview'}-{'present' if present else 'normal'}-{size[0]}x{size[1]}")
    page.close()


@pytest.mark.parametrize("size", [(1366, 768), (390, 844)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", SCREENS)
def test_every_presentation_screen_fits(app, browser, screen, size):  # noqa: F811
    wait = "[data-testid=stPlotlyChart] .main-svg" if screen == "村居排名" else \
        "[data-testid=stTable], [data-testid=stMetric]"
    page = open_page(browser, f"{app}/?present=1&g={screen}", size, wait)
    check(page, f"overview-{screen}-{size[0]}x{size[1]}")
    page.close()


def test_a_phone_starts_with_the_sidebar_closed_and_two_cards_a_row(app, browser):  # noqa: F811
    page = open_page(browser, f"{app}/", (390, 844), "[data-testid=stMetric]")
    assert page.locator("[data-testid=stSidebar]").get_attribute("data-collapsed") == "true"
    assert not page.locator("[data-testid=stSidebar]").is_visible()
    lefts = page.evaluate("() => [...document.querySelectorAll('[data-testid=stMetric]')].slice(0, 4)"
                          ".map(e => Math.round(e.getBoundingClientRect().left))")
    assert lefts[0] == lefts[2] and lefts[1] == lefts[3] and lefts[1] > lefts[0] + 100   # 2 columns
    page.close()


@pytest.mark.parametrize("present", [False, True], ids=["normal", "present"])
def test_the_ranking_chart_names_every_village(app, browser, demo_db, present):  # noqa: F811
    con = db.open_reader(demo_db)
    villages = len(rank(con))
    con.close()
    page = open_page(browser, f"{app}/ranking?present={int(present)}", (1920, 1080),
                     "[data-testid=stPlotlyChart] .main-svg" if present else "[data-testid=stDataFrame]")
    if not present:
        page.get_by_text("得分图").click()
        page.wait_for_selector("[data-testid=stPlotlyChart] .main-svg", timeout=60_000)
        page.wait_for_timeout(1000)
    chart = "[data-testid=stPlotlyChart]" if present else "[data-testid=stExpander] [data-testid=stPlotlyChart]"
    labels = page.evaluate(f"() => [...document.querySelectorAll('{chart} .ytick text')].map(t => t.textContent)")
    assert len(labels) == villages and all(labels)
    page.screenshot(path=str(ARTIFACTS / f"layout-ranking-chart-{'present' if present else 'normal'}.png"),
                    full_page=True)
    page.close()


@pytest.mark.parametrize("path", ["", "ranking"], ids=["overview", "ranking"])
def test_printing_gives_clean_a4_pages(app, browser, demo_db, path):  # noqa: F811
    """Ctrl+P: in print media no sidebar, header or button is drawn, nothing is wider than the A4
    page, and the ranking prints every village (its HTML twin, not the grid's window of rows).
    The PDF is saved for a look: test-artifacts/print-<page>.pdf."""
    page = open_page(browser, f"{app}/{path}", (1366, 768),
                     "[data-testid=stMetric]" if path == "" else "[data-testid=stDataFrame]")
    page.emulate_media(media="print")
    shown = page.evaluate("""() => [...document.querySelectorAll(
        '[data-testid=stSidebar], [data-testid=stHeader], button, [data-testid=stDataFrame], [data-testid=stPageLink]')]
        .filter(e => e.getClientRects().length > 0).map(e => (e.getAttribute('data-testid') || e.tagName) + ':' + e.innerText)""")
    assert shown == []
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = page.pdf(path=str(ARTIFACTS / f"print-{path or 'overview'}.pdf"), format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    page.set_viewport_size({"width": 718, "height": 1000})   # A4 less 10 mm margins, at 96 px/in
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    if path == "ranking":
        con = db.open_reader(demo_db)
        villages = [r["village"] for r in rank(con)]
        con.close()
        printed = page.evaluate("""() => [...document.querySelectorAll('[class*=st-key-print_only_villages] tbody tr')]
            .map(r => r.children[2].innerText)""")
        assert printed == villages
    page.close()
