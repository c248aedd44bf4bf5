"""``make test-galera``: the MariaDB race tests on a 3-node Galera cluster, writers on two nodes.

Starts three mariadbd on loopback from the installed galera-4 provider (own datadirs in a
temporary folder, ports GALERA_PORT_BASE … +39, default 14560: SQL 14560-2, group communication
14570-2, IST 14580-2, SST 14590-2), bootstraps node 1, joins nodes 2 and 3 by rsync SST, runs the
migrations on node 1, then ``pytest -m mysql`` with the test app on node 1 and every live-server
request alternating between an API instance on node 1 and one on node 2
(``TEST_DATABASE_URL_2``), then the schema checks; stops the cluster and removes the folder.
Never touches the shared server on 3306. Bounded: ``GALERA_TIMEOUT`` seconds for the tests (600).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from scripts.faults.servers import GALERA_PROVIDERS, ROOT, Stack, app_env, python, wait_for

PORT_BASE = int(os.environ.get("GALERA_PORT_BASE", "14560"))
NODES = 3
DATABASE = "sa_galera"
TIMEOUT = int(os.environ.get("GALERA_TIMEOUT", "600"))


def provider() -> str:
    for path in GALERA_PROVIDERS:
        if Path(path).exists():
            return path
    raise SystemExit("galera-4 is not installed (apt-get install galera-4 mariadb-server)")


def start_cluster(stack: Stack) -> list:
    gcomm = [PORT_BASE + 10 + i for i in range(NODES)]
    nodes = []
    for i in range(NODES):
        node = stack.mariadb(
            PORT_BASE + i,
            name=f"node{i + 1}",
            galera={
                "provider": provider(),
                "cluster": "sa-galera-test",
                "peers": gcomm,
                "gcomm_port": gcomm[i],
                "ist_port": PORT_BASE + 20 + i,
                "sst_port": PORT_BASE + 30 + i,
            },
        )
        node.prepare(install=i == 0)  # joiners receive everything by SST
        nodes.append(node)
    started = time.monotonic()
    nodes[0].start("--wsrep-new-cluster")
    nodes[0].wait_ready(90)
    for node in nodes[1:]:
        node.start()
        wait_for(
            f"{node.name} synced",
            lambda node=node: node.status("wsrep_local_state_comment") == "Synced",
            180,
            interval=0.5,
        )
    size = nodes[0].status("wsrep_cluster_size")
    if size != str(NODES):
        raise RuntimeError(f"cluster size {size}, expected {NODES}")
    print(
        f"== Galera: {NODES} nodes synced in {time.monotonic() - started:.1f} s "
        f"(SQL ports {', '.join(str(n.port) for n in nodes)})",
        flush=True,
    )
    return nodes


def main() -> int:
    started = time.monotonic()
    with Stack("sa-galera-") as stack:
        try:
            nodes = start_cluster(stack)
        except (RuntimeError, OSError, subprocess.CalledProcessError) as error:
            print(f"== Galera cluster did not start: {error}", file=sys.stderr)
            for node in stack.databases:
                print(f"--- {node.name} error log ---\n{node.error_log()}", file=sys.stderr)
            return 1
        first = nodes[0].create_database(DATABASE)
        second = nodes[1].database_url(DATABASE)
        print("== migrations on node 1", flush=True)
        subprocess.run(
            python("-m", "flask", "db", "upgrade"),
            cwd=ROOT,
            env=app_env(first),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        tables = nodes[2].query(
            f"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '{DATABASE}'"
        )[0][0]
        print(f"== node 3 sees {tables} tables", flush=True)
        env = {
            **os.environ,
            "TEST_DATABASE_URL": first,
            "TEST_DATABASE_URL_2": second,
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        env.pop("TEST_REDIS_URL", None)
        print(
            "== pytest -m mysql (live-server requests alternate between node 1 and node 2)",
            flush=True,
        )
        try:
            code = subprocess.run(
                python("-m", "pytest", "-m", "mysql", "-p", "no:randomly"),
                cwd=ROOT,
                env=env,
                timeout=TIMEOUT,
            ).returncode
            if code == 0:
                code = subprocess.run(
                    python("-m", "pytest", "tests/test_migrations.py"),
                    cwd=ROOT,
                    env=env,
                    timeout=TIMEOUT,
                ).returncode
        except subprocess.TimeoutExpired:
            print(f"== tests did not finish within {TIMEOUT} s", file=sys.stderr)
            code = 1
        states = [
            (
                n.name,
                n.status("wsrep_local_state_comment"),
                n.status("wsrep_local_cert_failures"),
                n.status("wsrep_local_bf_aborts"),
            )
            for n in nodes
        ]
        for name, state, cert, bf in states:
            print(f"== {name}: {state}, certification failures {cert}, brute-force aborts {bf}")
    print(
        f"== make test-galera: {'passed' if code == 0 else 'FAILED'} in "
        f"{time.monotonic() - started:.0f} s (cluster stopped, folder removed)"
    )
    return code


if __name__ == "__main__":
    sys.exit(main())
