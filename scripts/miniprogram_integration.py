"""Run the mini-program's integration flows and page renderer against a live API.

Starts a fresh development server (SQLite in a temporary folder, demo data, the WeChat sandbox
mounted) on a free loopback port, runs ``npm run test:integration`` in miniprogram/ with
``MP_API_BASE`` pointing at it (the service flows, then the key pages screenshotted in Chromium
into artifacts/miniprogram/), then stops the server. Exits with the test's status.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> int:
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="mp-integration-")
    env = {
        **os.environ,
        "APP_ENV": "development",
        "FLASK_APP": "wsgi.py",
        "DATABASE_URL": f"sqlite:///{workdir}/integration.sqlite3",
        "INSTANCE_PATH": workdir,
        "PORT": str(port),
        "WECHAT_API_BASE": f"http://127.0.0.1:{port}/wechat-sandbox/",
    }
    env.pop("TEST_DATABASE_URL", None)
    flask = [sys.executable, "-m", "flask"]
    subprocess.run(
        [*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    subprocess.run([*flask, "seed", "demo"], cwd=ROOT, env=env, check=True)
    log = open(Path(workdir) / "server.log", "w")
    server = subprocess.Popen(
        [*flask, "dev", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/health", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    print(open(Path(workdir) / "server.log").read())
                    print("API did not start", file=sys.stderr)
                    return 1
                time.sleep(0.3)
        result = subprocess.run(
            ["npm", "run", "--silent", "test:integration"],
            cwd=ROOT / "miniprogram",
            env={**env, "MP_API_BASE": base, "MP_ADMIN_CODE": "demo-village-admin"},
        )
        if result.returncode:
            print(open(Path(workdir) / "server.log").read()[-5000:])
        return result.returncode
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


if __name__ == "__main__":
    sys.exit(main())
