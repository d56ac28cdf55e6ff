"""Where data leaves, in a real headless Chromium (issue #17 items 5, 8, 10, 15): the table
toolbar offers no unaudited CSV after an admin unmasks a view; a network visitor of 单机模式 gets
no data; hostile place names are text, never links, in tables and Plotly charts; a deep link keeps
its page through the sign-in."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from deploy.cluster import free_ports
from queries import access
from queries.db import refresh_facts, writing
from test_browser import ARTIFACTS, CHROMIUM, PASSWORD, ROOT, browser, serve  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's /usr/bin/chromium")]
LINK_VILLAGE = "[点我](http://evil.example/)村"
HTML_VILLAGE = '<a href="http://evil.example/">点我</a>村'
SIZES = [(1280, 720), (1366, 768), (1920, 1080), (390, 844)]


def network_address() -> str | None:
    """This machine's address on its network (no packet is sent), None when it has none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


@contextmanager
def started(db: Path, *options: str):
    """`streamlit run server.py` as an office would start it (the address from
    .streamlit/config.toml unless `options` say otherwise, no sign-in); yields its port."""
    port = free_ports(1)
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "server.py", "--server.port", str(port),
                               *options], cwd=ROOT, env={**os.environ, "XINFANG_DB": str(db)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=20)


def answers(address: str, port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://{address}:{port}/_stcore/health", timeout=3)
        return True
    except OSError:
        return False


def test_single_user_mode_does_not_answer_on_the_network_address(demo_db):
    address = network_address()
    if address is None:
        pytest.skip("this machine has no network address")
    with started(demo_db) as port:
        assert answers("127.0.0.1", port)          # this computer: served
        assert not answers(address, port)          # the office network: nothing listens


def links_to_evil(page) -> int:
    """<a> elements (HTML or SVG, as Plotly draws them) pointing at the hostile address."""
    return page.evaluate("""() => [...document.querySelectorAll('a')].filter(a =>
        ((a.getAttribute('href') || '') + (a.getAttribute('xlink:href') || '')).includes('evil.example')).length""")


def open_page(browser, url: str, size=(1920, 1080)):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("[data-testid=stAppViewContainer]", timeout=60_000)
    return page


@pytest.fixture(scope="module")
def local_app(demo_db, tmp_path_factory):
    """单机模式 (an admin) on a copy of the demo: these tests write audit records."""
    path = tmp_path_factory.mktemp("local") / "demo.duckdb"
    shutil.copyfile(demo_db, path)
    yield from serve(path)


def test_unmasked_table_has_no_toolbar_download(local_app, browser):
    page = open_page(browser, f"{local_app}/handling")
    page.wait_for_selector("[data-testid=stDataFrame]", timeout=60_000)
    page.locator("[data-testid=stSidebar] [data-testid=stExpander] summary").filter(has_text="查看个人信息").click()
    page.get_by_label("理由（必填）").fill("核查积案")
    page.get_by_role("button", name="显示本视图的个人信息").click()
    page.wait_for_selector("text=本视图正在显示未脱敏的个人信息", timeout=60_000)
    # hover() scrolls the table into view itself and, unlike scroll_into_view_if_needed, finds it
    # again when a rerun replaced the element in between.
    page.locator("[data-testid=stDataFrame]").first.hover()
    page.wait_for_timeout(800)
    toolbar = page.locator("[data-testid=stElementToolbar]").first
    toolbar.wait_for(state="visible", timeout=10_000)    # the toolbar is there (search, fullscreen)…
    page.screenshot(path=str(ARTIFACTS / "unmasked-toolbar.png"))
    assert page.get_by_role("button", name="Download as CSV").count() == 0   # …without the download
    # the audited download buttons are still offered
    assert page.get_by_role("button", name="含个人信息").count() > 0 or \
        page.locator("[data-testid=stDownloadButton]").count() > 0
    page.close()


def test_audit_log_csv_download_is_formula_safe(local_app, browser):
    """The unmask reason is free text: in the 审计日志 CSV it must not run as a formula."""
    page = open_page(browser, f"{local_app}/repeat")
    page.wait_for_selector("[data-testid=stDataFrame]", timeout=60_000)
    page.locator("[data-testid=stSidebar] [data-testid=stExpander] summary").filter(has_text="查看个人信息").click()
    page.get_by_label("理由（必填）").fill('=HYPERLINK("http://evil.example","点我")')
    page.get_by_role("button", name="显示本视图的个人信息").click()
    page.wait_for_selector("text=本视图正在显示未脱敏的个人信息", timeout=60_000)
    page.get_by_role("link", name="审计日志").first.click()
    page.wait_for_selector("h1:has-text('审计日志')", timeout=60_000)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="下载审计日志（CSV）").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(" in text and ',=HYPERLINK(' not in text and '"=HYPERLINK(' not in text
    page.close()


@pytest.fixture(scope="module")
def hostile_db(demo_db, tmp_path_factory):
    """The demo county plus two villages with hostile names, each with many 进京 visits (so
    both are among the five lowest ranked on 总览)."""
    path = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    shutil.copyfile(demo_db, path)
    with writing(path) as con:
        for n, village in enumerate((LINK_VILLAGE, HTML_VILLAGE)):
            for i in range(12):
                con.execute("INSERT INTO cases (case_id, registered_on, channel, township, village, category, level, "
                            "persons) VALUES (?, ?, '来访', '青石镇', ?, '城乡建设类', '京', 1)",
                            [f"EVIL{n}-{i}", date(2026, 3, 1 + i), village])
        refresh_facts(con)
    return path


@pytest.fixture(scope="module")
def hostile_app(hostile_db):
    yield from serve(hostile_db)


def shown_text(page) -> str:
    """The page's text as a reader sees it (the escaping's invisible word joiners left out)."""
    return page.inner_text("body").replace("\u2060", "")


def test_hostile_names_are_text_on_the_overview(hostile_app, browser):
    page = open_page(browser, hostile_app)
    page.wait_for_selector("[data-testid=stTable]", timeout=60_000)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / f"hostile-overview-{width}.png"))
        text = shown_text(page)
        assert LINK_VILLAGE in text and HTML_VILLAGE in text
        assert links_to_evil(page) == 0
        assert page.locator("[data-testid=stException]").count() == 0
    page.close()


@pytest.mark.parametrize("url", ["/?present=1&g=村居排名", "/ranking?present=1", "/repeat"])
def test_hostile_names_are_text_in_charts(hostile_app, browser, url):
    page = open_page(browser, hostile_app + url)
    page.wait_for_selector("[data-testid=stPlotlyChart] .main-svg", timeout=60_000)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / f"hostile-chart-{url.strip('/?').replace('&', '-').replace('=', '')}.png"))
    svg_text = " ".join(page.locator("[data-testid=stPlotlyChart]").all_inner_texts()).replace("\u2060", "")
    assert links_to_evil(page) == 0
    if "g=" in url or "ranking" in url:
        assert HTML_VILLAGE in svg_text          # shown as typed, in the tick labels
    page.close()


@pytest.fixture(scope="module")
def leader_app(demo_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("leader")
    users = folder / "users.toml"
    access.add_user("lead", access.user_entry("县领导", "leader", PASSWORD), users)
    config = folder / "xinfang.toml"
    config.write_text(f'[auth]\nmode = "local"\nusers_file = "{users}"\n', encoding="utf-8")
    yield from serve(demo_db, XINFANG_CONFIG=str(config))


def sign_in(page) -> None:
    page.get_by_label("用户名").fill("lead")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_a_deep_link_keeps_its_page_through_sign_in(leader_app, browser):
    # someone signed in before: the server's navigation is set up (the case that lost the page)
    first = open_page(browser, leader_app)
    sign_in(first)
    first.wait_for_selector("[data-testid=stMetric]", timeout=60_000)
    first.close()
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(f"{leader_app}/ranking?t=青石镇", wait_until="domcontentloaded")
    sign_in(page)
    page.wait_for_selector("h1:has-text('村居排名')", timeout=60_000)
    page.wait_for_timeout(1000)
    assert "/ranking" in page.url and "t=%E9%9D%92%E7%9F%B3%E9%95%87" in page.url
    assert "乡镇(街道)：青石镇" in page.inner_text("body")
    context.close()


def test_single_user_mode_refuses_a_network_visitor(demo_db, browser):
    """Started on every interface by mistake, 单机模式 still shows nothing to another address."""
    address = network_address()
    if address is None:
        pytest.skip("this machine has no network address")
    with started(demo_db, "--server.address", "0.0.0.0") as port:
        page = open_page(browser, f"http://{address}:{port}/")
        page.wait_for_selector("text=单机模式", timeout=60_000)
        page.wait_for_timeout(1000)
        text = page.inner_text("body")
        assert "只能在运行它的电脑上打开" in text and "信访总量" not in text
        assert page.locator("[data-testid=stMetric]").count() == 0
        page.close()
