"""Several dashboard processes behind HAProxy on one machine.

    python -m deploy.cluster [--processes N] [--listen HOST:PORT] [--first-port P] [--db PATH]
                             [--logs DIR]

Starts N Streamlit processes on 127.0.0.1 (ports P, P+1, …), all reading one database file —
readers open it read-only and writers queue on its lock and swap it atomically
(docs/concurrency.md), so the processes need nothing else to share it — then HAProxy on
--listen with sticky sessions (deploy/haproxy.cfg.tmpl). It then watches them: a process
that exits is started again on its port (the proxy's health check keeps new browsers away
from it meanwhile); if the proxy exits, everything stops. Ctrl+C or SIGTERM stops all.

Refuses, with the reason in Chinese: a database file that does not exist (a first-start demo
built by N processes at once would race), and a non-loopback --listen while `[auth] mode` is
"none" (single-user mode has no sign-in: it must not be reachable from the network).

See docs/deployment.md: how many leaders one process serves, when to add processes, and what
to do beyond one machine.
"""
from __future__ import annotations

import argparse
import ipaddress
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).with_name("haproxy.cfg.tmpl")
HEALTH = "/_stcore/health"
COOKIE_SECRET = "STREAMLIT_SERVER_COOKIE_SECRET"


class DeployError(Exception):
    """A refusal to start, worded for the office's IT (Chinese, with what to do)."""


def split_listen(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit():
        raise DeployError(f"监听地址“{listen}”应写成 主机:端口，例如 127.0.0.1:8500 或 0.0.0.0:80。")
    return host.strip("[]"), int(port)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:    # a host name: it may resolve to anything, so not loopback
        return False


def check_listen(listen: str, auth_mode: str) -> None:
    """Single-user mode (no sign-in, everyone is the administrator) only on this computer."""
    host, _ = split_listen(listen)
    if auth_mode == "none" and not is_loopback(host):
        raise DeployError(
            f"单机模式（[auth] mode = \"none\"）不设登录、人人都是管理员，只能在本机访问（127.0.0.1），"
            f"不能监听 {listen}。多人使用请先在配置中设置 [auth] mode = \"local\" 或 \"oidc\"。")


def haproxy_config(listen: str, ports: list[int]) -> str:
    """The proxy's configuration: one server line per process, each with its cookie value."""
    servers = "\n".join(f"    server app{i + 1} 127.0.0.1:{port} check cookie app{i + 1}"
                        for i, port in enumerate(ports))
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(listen=listen, servers=servers)


def free_ports(count: int) -> int:
    """A first port with `count` free ports from it on 127.0.0.1 (for tests and benchmarks,
    where other processes take ports too)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        if first + count > 65535:
            continue
        held = []
        try:
            for port in range(first, first + count):
                held.append(socket.socket())
                held[-1].bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for s in held:
                s.close()
    raise RuntimeError("no free ports")


def healthy(url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(url + HEALTH, timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def wait_healthy(url: str, seconds: float, process: subprocess.Popen, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DeployError(f"{what}启动失败（退出码 {process.returncode}），详见 {log}。")
        if healthy(url):
            return
        time.sleep(0.3)
    raise DeployError(f"{what}在 {seconds:.0f} 秒内没有就绪，详见 {log}。")


@dataclass
class Cluster:
    db: Path
    processes: int = 2
    listen: str = "127.0.0.1:8500"
    first_port: int = 8501
    logs: Path = ROOT / "data" / "cluster"
    env: dict[str, str] = field(default_factory=dict)
    apps: list[subprocess.Popen] = field(default_factory=list, init=False)
    proxy: subprocess.Popen | None = field(default=None, init=False)
    restarts: int = field(default=0, init=False)
    _env: dict[str, str] = field(default_factory=dict, init=False)

    @property
    def ports(self) -> list[int]:
        return [self.first_port + i for i in range(self.processes)]

    @property
    def url(self) -> str:
        host, port = split_listen(self.listen)
        host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        return f"http://{host}:{port}"

    def _child_env(self) -> dict[str, str]:
        # One cookie secret for all processes: a browser that fails over to another process
        # keeps its signed cookies (st.login's identity, the XSRF token) valid there.
        secret = os.environ.get(COOKIE_SECRET) or secrets.token_hex(32)
        return {**os.environ, "XINFANG_DB": str(self.db), COOKIE_SECRET: secret, **self.env}

    def _start_app(self, index: int, env: dict[str, str]) -> subprocess.Popen:
        log = open(self.logs / f"app{index + 1}.log", "ab")
        return subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "server.py"),
             "--server.port", str(self.ports[index]), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false",
             # the code does not change under a running deployment: no watcher, no reload
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def start(self, timeout: float = 90) -> Cluster:
        from queries.config import load_config
        if not Path(self.db).exists():
            raise DeployError(f"数据库文件不存在：{self.db}。请先导入本单位数据，"
                              f"或运行 python -m queries demo --if-missing --db {self.db} 生成演示数据。")
        if self.processes < 1:
            raise DeployError("进程数至少为 1。")
        check_listen(self.listen, load_config().get("auth", {}).get("mode", "none"))
        haproxy = shutil.which("haproxy")
        if haproxy is None:
            raise DeployError("未找到 haproxy。请先安装：apt-get install haproxy")
        self.logs.mkdir(parents=True, exist_ok=True)
        config = self.logs / "haproxy.cfg"
        config.write_text(haproxy_config(self.listen, self.ports), encoding="utf-8")
        checked = subprocess.run([haproxy, "-c", "-q", "-f", str(config)], capture_output=True, text=True)
        if checked.returncode != 0:
            raise DeployError(f"haproxy 配置无效：{(checked.stderr or checked.stdout).strip()}")
        self._env = self._child_env()
        try:
            self.apps = [self._start_app(i, self._env) for i in range(self.processes)]
            for i, (app, port) in enumerate(zip(self.apps, self.ports)):
                wait_healthy(f"http://127.0.0.1:{port}", timeout, app, f"看板进程 {i + 1}（端口 {port}）",
                             self.logs / f"app{i + 1}.log")
            proxy_log = open(self.logs / "haproxy.log", "ab")
            self.proxy = subprocess.Popen([haproxy, "-db", "-f", str(config)], stdout=proxy_log,
                                          stderr=subprocess.STDOUT, start_new_session=True)
            wait_healthy(self.url, timeout, self.proxy, f"haproxy（{self.listen}）", self.logs / "haproxy.log")
        except BaseException:
            self.stop()
            raise
        return self

    def check(self) -> None:
        """One round of supervision: an app process that exited is started again; a proxy that
        exited is an error (nothing would reach the apps)."""
        if self.proxy is not None and self.proxy.poll() is not None:
            raise DeployError(f"haproxy 已退出（退出码 {self.proxy.returncode}），详见 {self.logs / 'haproxy.log'}。")
        for i, app in enumerate(self.apps):
            if app.poll() is not None:
                self.apps[i] = self._start_app(i, self._env)
                self.restarts += 1

    def stop(self) -> None:
        for process in [self.proxy, *self.apps]:
            if process is not None and process.poll() is None:
                process.terminate()
        for process in [self.proxy, *self.apps]:
            if process is not None:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        self.proxy, self.apps = None, []

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *_) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    from queries.db import DEFAULT_DB
    parser = argparse.ArgumentParser(prog="python -m deploy.cluster", description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=2, help="看板进程数（默认 2，约每核一个）")
    parser.add_argument("--listen", default="127.0.0.1:8500", help="对外地址 主机:端口（默认 127.0.0.1:8500）")
    parser.add_argument("--first-port", type=int, default=8501, help="看板进程的第一个本机端口（默认 8501）")
    parser.add_argument("--db", type=Path, default=Path(os.environ.get("XINFANG_DB") or DEFAULT_DB))
    parser.add_argument("--logs", type=Path, default=ROOT / "data" / "cluster", help="日志与 haproxy.cfg 所在目录")
    args = parser.parse_args(argv)
    cluster = Cluster(args.db, args.processes, args.listen, args.first_port, args.logs)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        cluster.start()
        print(f"信访看板：{args.processes} 个进程（端口 {', '.join(map(str, cluster.ports))}），"
              f"访问地址 {cluster.url}（日志：{args.logs}）", flush=True)
        while True:
            time.sleep(1)
            cluster.check()
    except DeployError as error:
        print(f"无法启动：{error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
