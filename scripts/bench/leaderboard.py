"""Leaderboard at county scale: 100,000 volunteers and 1,000,000 ledger rows on MariaDB.

A generator fills the ledger, the balances and the maintained period totals (day … all for each
village, township and the city, exactly as ``services.points.grant`` keeps them) with multi-row
INSERTs. Then GET /leaderboards is measured under gunicorn and compared with
- the raw SQL ``GROUP BY`` over the ledger that gives the same answer (latency ratio), checked to
  return the same top 20;
- a bare Flask route under the same gunicorn settings (req/s ratio).

Scale with BENCH_VOLUNTEERS / BENCH_LEDGER_ROWS (defaults 100000 / 1000000).
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from scripts.bench.common import (
    bare_ceiling,
    bench_env,
    fresh_database,
    run_load,
    start_gunicorn,
)

VOLUNTEERS = int(os.environ.get("BENCH_VOLUNTEERS", "100000"))
LEDGER_ROWS = int(os.environ.get("BENCH_LEDGER_ROWS", "1000000"))
TOWNSHIPS, VILLAGES_PER_TOWNSHIP = 20, 15
DAYS = 45  # the ledger covers the last 45 days (China time)
BATCH = 5000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _insert(conn, table: str, columns: str, rows: list[str]) -> None:
    for n, start in enumerate(range(0, len(rows), BATCH), start=1):
        conn.exec_driver_sql(
            f"INSERT INTO {table} ({columns}) VALUES " + ",".join(rows[start : start + BATCH])
        )
        if n % 40 == 0:
            conn.commit()  # keep the undo log small; nothing reads the data meanwhile
    conn.commit()


def generate(url: str, seed: int = 7) -> dict:
    """Fill the benchmark database; returns facts the measurements need."""
    from sqlalchemy import create_engine

    from backend.services.periods import PERIODS, period_key
    from backend.utils import CHINA_TZ

    rng = random.Random(seed)
    engine = create_engine(url)
    now = datetime.now(UTC).replace(microsecond=0)
    today = now.astimezone(CHINA_TZ).date()
    first_day = today - timedelta(days=DAYS - 1)
    started = time.perf_counter()
    with engine.connect() as conn:
        conn.exec_driver_sql("SET SESSION foreign_key_checks = 0, unique_checks = 0")
        # Regions: city 1, townships 2…, villages after; materialised paths as the app makes them.
        regions, villages = [], []
        created = _ts(now)
        regions.append(f"(1,'BENCH','丰城市(压测)','city',NULL,'/1/',0,'{created}')")
        next_id = 2
        township_of = {}
        for t in range(TOWNSHIPS):
            tid = next_id
            next_id += 1
            regions.append(
                f"({tid},'BT{t:02d}','压测镇{t + 1}','township',1,'/1/{tid}/',{t},'{created}')"
            )
            for v in range(VILLAGES_PER_TOWNSHIP):
                vid = next_id
                next_id += 1
                regions.append(
                    f"({vid},'BV{t:02d}{v:02d}','压测村{t + 1}-{v + 1}','village',{tid},"
                    f"'/1/{tid}/{vid}/',{v},'{created}')"
                )
                villages.append(vid)
                township_of[vid] = tid
        _insert(conn, "region", "id,code,name,level,parent_id,path,sort_order,created_at", regions)

        # Users and volunteers: 0.5 % disabled accounts, 1 % suspended volunteers.
        village_of, users, vols, excluded = {}, [], [], set()
        for uid in range(1, VOLUNTEERS + 1):
            village = villages[(uid * 7919) % len(villages)]
            village_of[uid] = village
            status = "disabled" if uid % 200 == 0 else "active"
            vstatus = "suspended" if uid % 100 == 37 else "approved"
            if status != "active" or vstatus != "approved":
                excluded.add(uid)
            name = SURNAMES[uid % len(SURNAMES)] + "*" * (1 + uid % 2)
            users.append(
                f"({uid},'bench-{uid}','志愿者{uid}','',{village},'{status}',1,'{created}')"
            )
            vols.append(
                f"({uid},{uid},'PB{uid:08d}','{name}',{village},'[]','','','{vstatus}','','{created}')"
            )
        _insert(
            conn,
            "app_user",
            "id,openid,nickname,avatar_url,region_id,status,token_version,created_at",
            users,
        )
        _insert(
            conn,
            "volunteer",
            "id,user_id,number,display_name,region_id,skills,availability,intro,status,"
            "review_reason,created_at",
            vols,
        )
        people = time.perf_counter()

        # The ledger: 1,000,000 grants (5 % deductions) spread over the last DAYS days.
        keys_of_day = {}
        for n in range(DAYS):
            day = first_day + timedelta(days=n)
            keys_of_day[day] = [(p, period_key(p, day)) for p in PERIODS]
        window_start = datetime.combine(first_day, datetime.min.time(), tzinfo=CHINA_TZ)
        span = int((now - window_start.astimezone(UTC)).total_seconds())
        balance = defaultdict(int)
        earned = defaultdict(int)
        totals: dict[tuple, list] = {}
        entries = []
        for i in range(1, LEDGER_ROWS + 1):
            uid = rng.randint(1, VOLUNTEERS)
            if rng.random() < 0.05:
                amount, source = -rng.choice((1, 2, 5)), "adjustment"
            else:
                amount, source = rng.choice((2, 3, 5, 5, 10, 10, 20)), "activity"
            at = window_start.astimezone(UTC) + timedelta(seconds=rng.randrange(span))
            stamp = _ts(at)
            village = village_of[uid]
            entries.append(f"({i},{uid},{amount},'{source}','b{i:07d}','压测',{village},'{stamp}')")
            balance[uid] += amount
            earned[uid] += max(amount, 0)
            day = at.astimezone(CHINA_TZ).date()
            for rid in (1, township_of[village], village):
                for period, key in keys_of_day[day]:
                    cell = totals.get((rid, period, key, uid))
                    if cell is None:
                        totals[(rid, period, key, uid)] = [amount, stamp]
                    else:
                        cell[0] += amount
                        if stamp > cell[1]:
                            cell[1] = stamp
        _insert(
            conn,
            "points_entry",
            "id,user_id,amount,source_type,source_id,reason,region_id,created_at",
            entries,
        )
        del entries
        ledger = time.perf_counter()
        _insert(
            conn,
            "points_account",
            "user_id,balance,earned,updated_at,created_at",
            [f"({u},{b},{earned[u]},'{created}','{created}')" for u, b in sorted(balance.items())],
        )
        # Totals in unique-key order, so the indexes are written almost sequentially; the rank
        # index is built once afterwards (a sorted build beats 5 million random inserts).
        conn.exec_driver_sql("ALTER TABLE points_total DROP INDEX ix_points_total_rank")
        rows = [
            f"({rid},'{period}','{key}',{uid},{pts},'{reached}','{created}')"
            for (rid, period, key, uid), (pts, reached) in sorted(totals.items())
        ]
        _insert(
            conn,
            "points_total",
            "region_id,period,period_key,user_id,points,reached_at,created_at",
            rows,
        )
        total_rows = len(rows)
        del rows, totals
        conn.exec_driver_sql(
            "ALTER TABLE points_total ADD INDEX ix_points_total_rank"
            " (region_id, period, period_key, points DESC, reached_at, user_id)"
        )
    engine.dispose()
    done = time.perf_counter()
    print(
        f"generated {VOLUNTEERS} volunteers, {LEDGER_ROWS} ledger rows, {total_rows} period"
        f" totals in {done - started:.0f} s (people {people - started:.0f} s, ledger"
        f" {ledger - people:.0f} s, totals {done - ledger:.0f} s)",
        flush=True,
    )
    return {
        "today": today,
        "township": 2,
        "village": villages[0],
        "excluded": len(excluded),
        "totals": total_rows,
    }


RAW_SQL = """
SELECT e.user_id, SUM(e.amount) AS pts, MAX(e.created_at) AS reached
FROM points_entry e
JOIN app_user u ON u.id = e.user_id AND u.status = 'active'
LEFT JOIN volunteer v ON v.user_id = e.user_id
WHERE e.created_at >= %(start)s AND e.created_at < %(end)s
  AND e.source_type <> 'expiry'
  AND e.region_id IN (SELECT id FROM region WHERE path LIKE %(path)s)
  AND (v.id IS NULL OR v.status <> 'suspended')
GROUP BY e.user_id
HAVING pts > 0
ORDER BY pts DESC, reached ASC, e.user_id ASC
LIMIT 20
"""


def raw_group_by(url: str, period: str, day: date, path: str, runs: int = 3) -> tuple:
    """Median latency (ms) of the same answer computed from the ledger, and that answer."""
    from sqlalchemy import create_engine

    from backend.services.periods import period_bounds

    start, end = period_bounds(period, day)
    params = {
        "start": _ts(start),
        "end": _ts(end),
        "path": path + "%",
    }
    engine = create_engine(url)
    timings, answer = [], []
    with engine.connect() as conn:
        for _ in range(runs):
            began = time.perf_counter()
            answer = conn.exec_driver_sql(RAW_SQL, params).all()
            timings.append((time.perf_counter() - began) * 1000)
    engine.dispose()
    return statistics.median(timings), [row[0] for row in answer]


def explain(url: str, region_id: int, period: str, key: str) -> str:
    """The access path MariaDB picks for the board (should be the rank index, no filesort)."""
    from sqlalchemy import create_engine

    sql = (
        "EXPLAIN SELECT t.user_id FROM points_total t JOIN app_user u ON u.id = t.user_id"
        " LEFT JOIN volunteer v ON v.user_id = t.user_id WHERE t.region_id = %s"
        " AND t.period = %s AND t.period_key = %s AND t.points > 0 AND u.status = 'active'"
        " AND (v.id IS NULL OR v.status <> 'suspended')"
        " ORDER BY t.points DESC, t.reached_at, t.user_id LIMIT 20"
    )
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(sql, (region_id, period, key)).mappings().all()
    engine.dispose()
    first = rows[0]
    return f"{first['table']}: key={first['key']} rows≈{first['rows']} extra={first['Extra']}"


def token_for(url: str, user_id: int) -> str:
    from backend import create_app
    from backend.auth import issue_token
    from backend.extensions import db
    from backend.models import User

    app = create_app("development", SQLALCHEMY_DATABASE_URI=url, SCHEDULER_ENABLED=False)
    with app.app_context():
        token, _ = issue_token(db.session.get(User, user_id))
        db.engine.dispose()
    return token


def main() -> None:
    from backend.services.periods import period_key

    url = fresh_database()
    facts = generate(url)
    today = facts["today"]
    env = bench_env(url)
    ceiling = bare_ceiling()
    token = token_for(url, 12)
    auth = {"Authorization": f"Bearer {token}"}
    boards = [
        ("city · month", f"/api/v1/leaderboards?region_id=1&period=month&date={today}", {}),
        ("city · all, my rank", "/api/v1/leaderboards?region_id=1&period=all", auth),
        (
            "township · week, my rank",
            f"/api/v1/leaderboards?region_id={facts['township']}&period=week&date={today}",
            auth,
        ),
        (
            "village · day",
            f"/api/v1/leaderboards?region_id={facts['village']}&period=day&date={today}",
            {},
        ),
    ]
    server = start_gunicorn("wsgi:app", env, "/api/v1/health")
    results = {}
    try:
        import json
        import urllib.request

        request = urllib.request.Request(server.url + boards[0][1])
        body = json.loads(urllib.request.urlopen(request, timeout=30).read())
        endpoint_top = [row["user_id"] for row in body["items"]]
        for label, path, headers in boards:
            run_load(server.url, [("GET", path, None, headers)], 200)  # warm up
            single = run_load(server.url, [("GET", path, None, headers)], 300, concurrency=1)
            loaded = run_load(server.url, [("GET", path, None, headers)], 1500)
            results[label] = (single, loaded)
    finally:
        server.stop()
    raw_ms, raw_top = raw_group_by(url, "month", today, "/1/")
    month = period_key("month", today)
    print(f"ledger rows {LEDGER_ROWS}, volunteers {VOLUNTEERS}, period totals {facts['totals']}")
    print(f"plan (city · month): {explain(url, 1, 'month', month)}")
    print(f"bare Flask route              {ceiling.summary()}")
    for label, (single, loaded) in results.items():
        print(f"GET /leaderboards {label:24s} {loaded.summary()}")
        print(f"    one client: p50 {single.pct(0.5):6.1f} ms")
    single, loaded = results["city · month"]
    print(f"raw SQL GROUP BY over the ledger (city · month, median of 3): {raw_ms:.1f} ms")
    print(f"same top 20 as the raw SQL: {'yes' if endpoint_top == raw_top else 'NO'}")
    print(
        f"ratio endpoint latency / raw GROUP BY  {single.pct(0.5) / raw_ms:.3f}"
        f"  (endpoint p50 {single.pct(0.5):.1f} ms, one client)"
    )
    print(f"ratio endpoint req/s / bare Flask      {loaded.rps / ceiling.rps:.2f}")
