"""Platform baseline: the public region list against a bare Flask route, same gunicorn settings."""

from __future__ import annotations

import subprocess
import sys

from scripts.bench.common import (
    ROOT,
    bare_ceiling,
    bench_env,
    fresh_database,
    run_load,
    start_gunicorn,
)


def main() -> None:
    url = fresh_database()
    env = bench_env(url)
    subprocess.run(
        [sys.executable, "-m", "flask", "seed", "demo"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    ceiling = bare_ceiling()
    server = start_gunicorn("wsgi:app", env, "/api/v1/health")
    try:
        path = "/api/v1/regions?level=village"
        run_load(server.url, [("GET", path, None, {})], 300)
        regions = run_load(server.url, [("GET", path, None, {})], 3000)
    finally:
        server.stop()
    print(f"bare Flask route        {ceiling.summary()}")
    print(f"GET /regions (villages) {regions.summary()}")
    print(f"ratio regions / bare    {regions.rps / ceiling.rps:.2f}")
