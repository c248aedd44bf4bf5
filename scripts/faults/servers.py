"""Servers of our own for the fault suite and the Galera run: MariaDB instances (own datadir,
own port, optionally Galera nodes), a Redis instance, the WeChat sandbox, gunicorn and schedulers.

Everything lives in one temporary folder and on ports given by the caller; nothing here touches a
shared server. ``Stack`` stops every process it started (TERM, then KILL) and removes the folder,
also when the run fails or is interrupted.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARIADBD = shutil.which("mariadbd", path="/usr/sbin:/usr/bin:/usr/local/sbin") or "mariadbd"
INSTALL_DB = shutil.which("mariadb-install-db") or "mariadb-install-db"
GALERA_PROVIDERS = ("/usr/lib/galera/libgalera_smm.so", "/usr/lib/libgalera_smm.so")
REDIS_SERVER = shutil.which("redis-server") or "redis-server"


def wait_for(what: str, check: Callable[[], bool], timeout: float, interval: float = 0.2) -> float:
    """Poll ``check`` until true; returns the seconds waited, raises after ``timeout``."""
    started = time.monotonic()
    while True:
        try:
            if check():
                return time.monotonic() - started
        except Exception:  # noqa: BLE001 - not ready yet
            pass
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"{what} not ready after {timeout:.0f} s")
        time.sleep(interval)


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


class Process:
    """A child process in its own process group, with its output in a log file."""

    def __init__(self, name: str, argv: list[str], log: Path, **kwargs) -> None:
        self.name = name
        self.argv = argv
        self.log_path = log
        self.kwargs = kwargs
        self.popen: subprocess.Popen | None = None

    def start(self) -> Process:
        log = open(self.log_path, "ab")
        self.popen = subprocess.Popen(
            self.argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **self.kwargs
        )
        log.close()
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive():
            os.kill(self.pid, sig)

    def stop(self, timeout: float = 30) -> None:
        """TERM, wait, then KILL the whole process group."""
        if self.popen is None:
            return
        if self.alive():
            try:
                os.killpg(self.pid, signal.SIGCONT)  # a stopped process cannot handle TERM
                os.killpg(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.pid, signal.SIGKILL)  # leftovers of the group (gunicorn workers, rsync)
        except (ProcessLookupError, PermissionError):
            pass
        if self.popen.poll() is None:
            self.popen.wait(timeout=10)

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class MariaDB:
    """One mariadbd on its own datadir and port (a Galera node when ``galera`` is given)."""

    def __init__(self, home: Path, port: int, name: str = "db", galera: dict | None = None):
        self.home = home / name
        self.port = port
        self.name = name
        self.galera = galera
        self.datadir = self.home / "data"
        self.socket = self.home / "mysqld.sock"
        self.config = self.home / "my.cnf"
        self.process: Process | None = None

    @property
    def url(self) -> str:
        return f"mysql+pymysql://root@127.0.0.1:{self.port}/{{db}}?charset=utf8mb4"

    def database_url(self, database: str) -> str:
        return self.url.format(db=database)

    def prepare(self, install: bool = True) -> None:
        self.datadir.mkdir(parents=True, exist_ok=True)
        self._write_config()
        if install:
            subprocess.run(
                [
                    INSTALL_DB,
                    f"--defaults-file={self.config}",
                    "--auth-root-authentication-method=normal",
                    "--skip-test-db",
                ],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        if _running_as_root():
            shutil.chown(self.home, "mysql", "mysql")
            for path in self.home.rglob("*"):
                shutil.chown(path, "mysql", "mysql")

    def _write_config(self) -> None:
        lines = [
            "[mysqld]",
            f"datadir={self.datadir}",
            f"socket={self.socket}",
            f"pid-file={self.home / 'mysqld.pid'}",
            f"log-error={self.home / 'error.log'}",
            f"port={self.port}",
            "bind-address=127.0.0.1",
            "skip-name-resolve",
            "character-set-server=utf8mb4",
            "collation-server=utf8mb4_unicode_ci",
            "innodb_buffer_pool_size=64M",
            "innodb_log_file_size=16M",
            "innodb_flush_log_at_trx_commit=1",
            "performance_schema=OFF",
            "max_connections=300",
        ]
        if _running_as_root():
            lines.append("user=mysql")
        if self.galera:
            g = self.galera
            peers = ",".join(f"127.0.0.1:{p}" for p in g["peers"])
            lines += [
                "binlog_format=ROW",
                "default_storage_engine=InnoDB",
                "innodb_autoinc_lock_mode=2",
                "wsrep_on=ON",
                f"wsrep_provider={g['provider']}",
                f"wsrep_cluster_name={g['cluster']}",
                f"wsrep_cluster_address=gcomm://{peers}",
                f"wsrep_node_name={self.name}",
                "wsrep_node_address=127.0.0.1",
                f"wsrep_node_incoming_address=127.0.0.1:{self.port}",
                f"wsrep_sst_receive_address=127.0.0.1:{g['sst_port']}",
                "wsrep_sst_method=rsync",
                "wsrep_sync_wait=1",
                "wsrep_slave_threads=2",
                "wsrep_provider_options="
                f'"gmcast.listen_addr=tcp://127.0.0.1:{g["gcomm_port"]};'
                f"ist.recv_addr=127.0.0.1:{g['ist_port']};"
                "gcache.size=32M;evs.suspect_timeout=PT5S;evs.inactive_timeout=PT10S;"
                'pc.wait_prim_timeout=PT30S"',
            ]
        self.config.write_text("\n".join(lines) + "\n")

    def start(self, *extra: str) -> MariaDB:
        self.process = Process(
            self.name,
            [MARIADBD, f"--defaults-file={self.config}", *extra],
            self.home / "stdout.log",
        ).start()
        return self

    def wait_ready(self, timeout: float = 60) -> float:
        def ready() -> bool:
            if self.process is not None and not self.process.alive():
                raise RuntimeError(f"{self.name} exited:\n{self.error_log()}")
            return self.query("SELECT 1") == [(1,)]

        try:
            return wait_for(f"MariaDB {self.name} on {self.port}", ready, timeout)
        except RuntimeError as error:
            if "exited" in str(error):
                raise
            raise RuntimeError(f"{error}\n{self.error_log()}") from None

    def query(self, sql: str, database: str | None = None) -> list[tuple]:
        import pymysql

        conn = pymysql.connect(
            host="127.0.0.1", port=self.port, user="root", database=database, connect_timeout=2
        )
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql)
                rows = list(cursor.fetchall())
            conn.commit()
            return rows
        finally:
            conn.close()

    def status(self, variable: str) -> str | None:
        rows = self.query(f"SHOW GLOBAL STATUS LIKE '{variable}'")
        return rows[0][1] if rows else None

    def create_database(self, name: str) -> str:
        self.query(
            f"CREATE DATABASE IF NOT EXISTS `{name}` "
            "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )
        return self.database_url(name)

    def error_log(self, lines: int = 40) -> str:
        path = self.home / "error.log"
        try:
            return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return f"(no {path})"

    def stop(self, timeout: float = 60) -> None:
        if self.process is not None:
            self.process.stop(timeout)


class Redis:
    """A redis-server of our own (no persistence)."""

    def __init__(self, home: Path, port: int) -> None:
        self.home = home
        self.port = port
        self.process: Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> Redis:
        self.process = Process(
            "redis",
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.home),
            ],
            self.home / "redis.log",
        ).start()
        wait_for("Redis", lambda: port_open(self.port), 15)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop(10)


def http_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=2) as response:
        return response.status == 200


class Stack:
    """The processes and the temporary folder of one run; ``close()`` removes them all."""

    def __init__(self, prefix: str) -> None:
        self.home = Path(tempfile.mkdtemp(prefix=prefix))
        if _running_as_root():
            os.chmod(self.home, 0o755)  # mariadbd runs as mysql
        self.processes: list[Process] = []
        self.databases: list[MariaDB] = []
        self.redis: list[Redis] = []
        self._closed = False
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum, _frame) -> None:
        self.close()
        sys.exit(128 + signum)

    def process(self, name: str, argv: list[str], **kwargs) -> Process:
        process = Process(name, argv, self.home / f"{name}.log", **kwargs).start()
        self.processes.append(process)
        return process

    def mariadb(self, port: int, name: str = "db", galera: dict | None = None) -> MariaDB:
        server = MariaDB(self.home, port, name, galera)
        self.databases.append(server)
        return server

    def redis_server(self, port: int) -> Redis:
        server = Redis(self.home, port)
        self.redis.append(server)
        return server.start()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for process in reversed(self.processes):
            process.stop(15)
        for server in self.redis:
            server.stop()
        for server in reversed(self.databases):
            server.stop()
        if os.environ.get("FAULTS_KEEP"):
            print(f"== logs kept in {self.home} (FAULTS_KEEP)")
            return
        shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def python(*args: str) -> list[str]:
    return [sys.executable, *args]


def app_env(database_url: str, **extra: str) -> dict[str, str]:
    """Environment for the app's processes (gunicorn, flask commands) in a run."""
    env = {
        **os.environ,
        "APP_ENV": "development",
        "FLASK_APP": "wsgi.py",
        "DATABASE_URL": database_url,
        "SCHEDULER_ENABLED": "0",
        "PYTHONWARNINGS": "ignore",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("TEST_DATABASE_URL", None)
    env.pop("TEST_REDIS_URL", None)
    env.update(extra)
    return env
