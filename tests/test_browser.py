"""Every page, and presentation mode, in a real headless Chromium at 1920×1080.

Starts the app on a free port against a demo database, waits for the page to draw, checks
the Chinese title, a drawn Plotly chart, no exception element and no request leaving
localhost, and saves a screenshot under test-artifacts/.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from deploy.cluster import free_ports

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
PAGES = [  # url path, title shown, must draw a chart
    ("", "总览", False), ("trends", "趋势", True), ("repeat", "重复信访", True),
    ("ranking", "村居排名", False), ("skip_level", "越级与集体访", True), ("handling", "办理与包案", False),
    ("import", "数据导入", False), ("caliber", "口径说明", False), ("audit", "审计日志", False),
]
PASSWORD = "correct horse 42"
NOT_THE_CADRES = ("下庄村", "新塘村", "东风村", "河口村", "柳河镇", "城东街道", "南关社区")

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's /usr/bin/chromium")]


def serve(db: Path, **env: str):
    """The dashboard on a free port of 127.0.0.1; yields its URL."""
    port = free_ports(1)
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "server.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env={**os.environ, "XINFANG_DB": str(db), **env},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    yield url
    server.terminate()
    server.wait(timeout=20)


@pytest.fixture(scope="module")
def app(demo_db):
    yield from serve(demo_db)


@pytest.fixture(scope="module")
def signed_app(demo_db, tmp_path_factory):
    """The same data with sign-in from a local user file holding one 村 cadre."""
    from queries import access
    folder = tmp_path_factory.mktemp("auth")
    users = folder / "users.toml"
    access.add_user("cadre", access.user_entry("上庄村干部", "cadre", PASSWORD, ["青石镇"], ["上庄村"]), users)
    config = folder / "xinfang.toml"
    config.write_text(f'[auth]\nmode = "local"\nusers_file = "{users}"\n', encoding="utf-8")
    yield from serve(demo_db, XINFANG_CONFIG=str(config))


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


def visit(browser, url: str, name: str, wait_chart: bool) -> tuple[str, list[str]]:
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    outside = []
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname not in (
        "127.0.0.1", "localhost", None) and not r.url.startswith("data:") else None)
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("[data-testid=stAppViewContainer]", timeout=60_000)
    selector = "[data-testid=stPlotlyChart] .main-svg" if wait_chart else "[data-testid=stMetric], h1"
    page.wait_for_selector(selector, timeout=60_000)
    page.wait_for_timeout(1500)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name or 'overview'}.png"))
    assert page.locator("[data-testid=stException]").count() == 0
    text = page.inner_text("body")
    page.close()
    return text, outside


@pytest.mark.parametrize("path,title,chart", PAGES)
def test_page_draws(app, browser, path, title, chart):
    text, outside = visit(browser, f"{app}/{path}", path, chart)
    assert title in text
    assert "Traceback" not in text
    assert outside == []


def test_presentation_mode(app, browser):
    text, outside = visit(browser, f"{app}/?present=1", "present", False)
    assert "信访总量" in text
    assert outside == []


def test_cadre_sees_only_their_village(signed_app, browser):
    """Signed in from a forged link to other places, a cadre still sees only 上庄村, page by page."""
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(f"{signed_app}/?t=柳河镇,城东街道&v=东风村", wait_until="domcontentloaded")
    page.get_by_label("用户名").fill("cadre")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("[data-testid=stMetric]", timeout=60_000)
    for title, _ in [("总览", 0)] + [(t, 0) for _, t, _ in PAGES[1:6]]:
        if title != "总览":
            page.get_by_role("link", name=title).first.click()
            page.wait_for_selector(f"h1:has-text('{title}')", timeout=60_000)
        page.wait_for_timeout(1500)
        assert page.locator("[data-testid=stException]").count() == 0
        shown = "\n".join(line for line in page.inner_text("body").splitlines() if "链接中" not in line)
        assert "上庄村" in shown and not [name for name in NOT_THE_CADRES if name in shown], title
        if title == "总览":
            page.screenshot(path=str(ARTIFACTS / "cadre-overview.png"))
    assert page.get_by_role("link", name="数据导入").count() == 0
    page.close()
