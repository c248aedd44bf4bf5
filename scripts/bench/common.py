"""Benchmark plumbing: gunicorn on a loopback port, a keep-alive load generator, and a MariaDB
database made for the run. Figures are printed as ratios measured in the same run."""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH_DB_URL = os.environ.get(
    "BENCH_DATABASE_URL", "mysql+pymysql://root@127.0.0.1:3306/safe_alliance_bench?charset=utf8mb4"
)
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_database(url: str = BENCH_DB_URL) -> str:
    """Drop and create the benchmark database (utf8mb4) and migrate it; return its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    server = create_engine(parsed.set(database=""))
    with server.begin() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS `{parsed.database}`"))
        conn.execute(text(f"CREATE DATABASE `{parsed.database}` CHARACTER SET utf8mb4"))
    server.dispose()
    env = bench_env(url)
    subprocess.run(
        [sys.executable, "-m", "flask", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return url


def bench_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "APP_ENV": "development",
        "FLASK_APP": "wsgi.py",
        "DATABASE_URL": database_url,
        "SCHEDULER_ENABLED": "0",
        "RATELIMIT_ENABLED": "0",
        "PYTHONWARNINGS": "ignore",
    }
    env.update(extra)
    return env


@dataclass
class Server:
    url: str
    process: subprocess.Popen

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_gunicorn(
    app_spec: str, env: dict[str, str], health_path: str, workers: int = WORKERS
) -> Server:
    """Serve ``app_spec`` (e.g. ``wsgi:app``) under gunicorn and wait until it answers."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "-k",
            "gthread",
            "--threads",
            "4",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app_spec,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + health_path, timeout=2)
            return Server(url, process)
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError(f"{app_spec} did not start") from None
            time.sleep(0.2)


@dataclass
class LoadResult:
    requests: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000

    def summary(self) -> str:
        return (
            f"{self.rps:8.1f} req/s  p50 {self.pct(0.5):6.1f} ms  p99 {self.pct(0.99):6.1f} ms"
            f"  errors {self.errors}  statuses {dict(sorted(self.statuses.items()))}"
        )


Request = tuple[str, str, dict | None, dict[str, str]]  # method, path, json body, headers


def run_load(
    base_url: str,
    requests: list[Request] | Callable[[int], Request],
    total: int,
    concurrency: int = 16,
) -> LoadResult:
    """Send ``total`` requests over ``concurrency`` keep-alive connections; bounded in count."""
    host_port = base_url.removeprefix("http://")
    counter = iter(range(total))
    lock = threading.Lock()
    result = LoadResult(requests=0, seconds=0.0)

    def make(i: int) -> Request:
        return requests(i) if callable(requests) else requests[i % len(requests)]

    def worker() -> None:
        conn = http.client.HTTPConnection(host_port, timeout=30)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            method, path, body, headers = make(i)
            payload = json.dumps(body).encode() if body is not None else None
            hdrs = {"Content-Type": "application/json", **headers}
            started = time.perf_counter()
            try:
                conn.request(method, path, body=payload, headers=hdrs)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host_port, timeout=30)
                status = 0
            elapsed = time.perf_counter() - started
            with lock:
                result.requests += 1
                result.latencies.append(elapsed)
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if status == 0 or status >= 500:
                    result.errors += 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - started
    return result


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def bare_ceiling(total: int = 4000, concurrency: int = 16) -> LoadResult:
    """req/s of a bare Flask route under the same gunicorn settings (the ceiling)."""
    server = start_gunicorn("scripts.bench.bare_app:app", dict(os.environ), "/bare")
    try:
        run_load(server.url, [("GET", "/bare", None, {})], 300, concurrency)  # warm up
        return run_load(server.url, [("GET", "/bare", None, {})], total, concurrency)
    finally:
        server.stop()
