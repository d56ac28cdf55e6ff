"""Several dashboard processes behind HAProxy (deploy/cluster.py): the refusals, the proxy's
configuration as HAProxy itself checks it, and a live cluster of two processes on the demo —
balanced first requests, sticky sessions (the websocket included), a browser drawing 总览
through the proxy, and a killed process replaced while its browsers move to the other."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from deploy.cluster import Cluster, DeployError, check_listen, free_ports, haproxy_config, healthy
from queries.metrics.registry import PUBLIC

HAPROXY = shutil.which("haproxy")
CHROMIUM = "/usr/bin/chromium"
needs_haproxy = pytest.mark.skipif(HAPROXY is None, reason="needs Debian's haproxy")


@pytest.mark.parametrize("listen,mode,refused", [
    ("127.0.0.1:8500", "none", None),
    ("localhost:8500", "none", None),
    ("[::1]:8500", "none", None),
    ("0.0.0.0:80", "none", "单机模式"),
    ("10.1.2.3:80", "none", "单机模式"),
    ("dashboard.county.gov:80", "none", "单机模式"),   # a name may resolve anywhere
    ("0.0.0.0:80", "local", None),
    ("0.0.0.0:80", "oidc", None),
    ("8500", "local", "主机:端口"),
    ("127.0.0.1:http", "local", "主机:端口"),
])
def test_who_may_listen_where(listen, mode, refused):
    if refused is None:
        check_listen(listen, mode)
    else:
        with pytest.raises(DeployError, match=refused):
            check_listen(listen, mode)


def test_a_missing_database_is_refused_before_anything_starts(tmp_path):
    with pytest.raises(DeployError, match="数据库文件不存在.*demo --if-missing"):
        Cluster(tmp_path / "none.duckdb", logs=tmp_path / "logs").start()
    assert not (tmp_path / "logs").exists()


@needs_haproxy
def test_the_proxy_configuration_is_valid_haproxy(tmp_path):
    text = haproxy_config("0.0.0.0:8500", [9001, 9002, 9003])
    servers = [line.split() for line in text.splitlines() if line.strip().startswith("server ")]
    assert [(s[1], s[2], s[-1]) for s in servers] == [
        ("app1", "127.0.0.1:9001", "app1"), ("app2", "127.0.0.1:9002", "app2"), ("app3", "127.0.0.1:9003", "app3")]
    assert all("check" in s for s in servers)
    assert "cookie XFNODE insert" in text and "GET /_stcore/health" in text and "bind 0.0.0.0:8500" in text
    config = tmp_path / "haproxy.cfg"
    config.write_text(text, encoding="utf-8")
    checked = subprocess.run([HAPROXY, "-c", "-f", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if HAPROXY is None:
        pytest.skip("needs Debian's haproxy")
    from queries.demo.database import build_demo
    folder = tmp_path_factory.mktemp("cluster")
    db = folder / "demo.duckdb"
    build_demo(db)
    first = free_ports(3)
    running = Cluster(db, processes=2, listen=f"127.0.0.1:{first}", first_port=first + 1, logs=folder / "logs",
                      env={"XINFANG_WARM_SECONDS": "0"}).start()
    yield running
    running.stop()


def _get(url: str, cookie: str | None = None) -> tuple[str, str | None]:
    """(the process that answered, the XFNODE cookie the proxy set, if any)."""
    request = urllib.request.Request(url, headers={"Cookie": f"XFNODE={cookie}"} if cookie else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        set_cookie = response.headers.get("Set-Cookie") or ""
        node = set_cookie.split("XFNODE=", 1)[1].split(";", 1)[0] if "XFNODE=" in set_cookie else None
        return response.headers["X-XF-Node"], node


@needs_haproxy
def test_new_browsers_are_spread_and_each_stays_with_its_process(cluster):
    first_visits = [_get(cluster.url + "/") for _ in range(6)]
    assert {served for served, _ in first_visits} == {"app1", "app2"}
    assert all(served == cookie for served, cookie in first_visits)   # the cookie names who served
    for node in ("app1", "app2"):
        again = [_get(cluster.url + "/", cookie=node) for _ in range(8)]
        assert again == [(node, None)] * 8        # sticky, and the cookie is not set again


@needs_haproxy
@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's /usr/bin/chromium")
def test_a_leader_opens_the_dashboard_through_the_proxy(cluster):
    """总览 draws every card through the proxy, and every request of that browser — the page,
    its scripts, the websocket — went to the process its cookie names (HAProxy's own log)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(cluster.url + "/", wait_until="domcontentloaded")
        page.wait_for_function(
            f"document.querySelectorAll('[data-testid=stMetricValue]').length >= {len(PUBLIC)}", timeout=90_000)
        node = next(c["value"] for c in page.context.cookies() if c["name"] == "XFNODE")
        text = page.inner_text("body")
        browser.close()
    assert "信访总量" in text and "Traceback" not in text
    time.sleep(0.5)   # the proxy writes a line when a request ends; the websocket's ended with the browser
    lines = (cluster.logs / "haproxy.log").read_text(encoding="utf-8").splitlines()
    with_cookie = [line for line in lines if f"XFNODE={node}" in line]
    assert any("/_stcore/stream" in line for line in with_cookie)
    assert all(f"streamlit/{node} " in line for line in with_cookie)


@needs_haproxy
def test_a_killed_process_is_replaced_and_its_browsers_move_on(cluster):
    victim = cluster.apps[0]
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    deadline = time.monotonic() + 30
    served = None
    while time.monotonic() < deadline:      # until the proxy's health check has taken app1 out
        served, cookie = _get(cluster.url + "/", cookie="app1")
        if served == "app2":
            break
        time.sleep(0.5)
    assert (served, cookie) == ("app2", "app2")   # moved, and told its new process
    cluster.check()
    assert cluster.restarts == 1 and cluster.apps[0].pid != victim.pid
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not healthy(f"http://127.0.0.1:{cluster.ports[0]}"):
        time.sleep(0.5)
    while time.monotonic() < deadline and _get(cluster.url + "/", cookie="app1")[0] != "app1":
        time.sleep(0.5)
    assert _get(cluster.url + "/", cookie="app1") == ("app1", None)
