"""The job registry, the job runner and the scheduler process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

import backend.jobs.notifications as notification_jobs
from backend.extensions import db
from backend.jobs import scheduler as sched
from backend.jobs.registry import JOBS
from backend.models import Notification

ROOT = Path(__file__).resolve().parents[2]


def test_every_registered_job_resolves_with_a_valid_trigger():
    ids = [job.id for job in JOBS]
    assert len(ids) == len(set(ids)) and "notifications.dispatch" in ids
    for job in JOBS:
        assert callable(sched.resolve(job))
        assert job.trigger in ("interval", "cron")
        assert job.misfire_grace_time > 0 and job.description


def test_built_scheduler_has_every_job_coalesced_single_instance(app):
    scheduler = sched.build_scheduler(app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {job.id for job in JOBS}
    for job in JOBS:
        built = jobs[job.id]
        assert built.coalesce is True and built.max_instances == 1
        assert built.misfire_grace_time == job.misfire_grace_time
        assert built.args == (app, job.id)  # ids, not objects


def test_run_job_commits_what_the_job_did(app, new_user, monkeypatch):
    user_id = new_user("runjob").id

    def job():
        db.session.add(
            Notification(user_id=user_id, kind="ledger_alert", dedupe_key="job:ok", title="ok")
        )
        return {"done": 1}

    monkeypatch.setattr(notification_jobs, "dispatch", job)
    assert sched.run_job(app, "notifications.dispatch") == {"done": 1}
    assert db.session.scalar(select(func.count(Notification.id))) == 1


def test_run_job_rolls_back_a_job_that_raises(app, new_user, monkeypatch, caplog):
    user_id = new_user("runjobfail").id

    def job():
        db.session.add(
            Notification(user_id=user_id, kind="ledger_alert", dedupe_key="job:bad", title="x")
        )
        db.session.flush()
        raise RuntimeError("boom")

    monkeypatch.setattr(notification_jobs, "dispatch", job)
    with pytest.raises(RuntimeError):
        sched.run_job(app, "notifications.dispatch")
    assert db.session.scalar(select(func.count(Notification.id))) == 0
    assert "job notifications.dispatch failed" in caplog.text
    # The scheduler's wrapper logs and carries on rather than killing the scheduler thread.
    sched._scheduled_run(app, "notifications.dispatch")


def test_start_background_runs_and_shuts_down(app):
    scheduler = sched.start_background(app)
    try:
        assert scheduler.running
        assert {job.id for job in scheduler.get_jobs()} == {job.id for job in JOBS}
    finally:
        scheduler.shutdown(wait=False)
    assert not scheduler.running


def test_run_forever_stops_when_asked(app):
    stop = threading.Event()
    thread = threading.Thread(target=sched.run_forever, args=(app, stop))
    thread.start()
    time.sleep(0.2)
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive()


def test_cli_list_and_run_once(app, new_user):
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["scheduler", "list"])
    assert listed.exit_code == 0 and "notifications.dispatch" in listed.output
    unknown = runner.invoke(args=["scheduler", "run-once", "nope"])
    assert unknown.exit_code != 0 and "unknown job" in unknown.output
    once = runner.invoke(args=["scheduler", "run-once", "notifications.dispatch"])
    assert once.exit_code == 0, once.output
    assert "'claimed': 0" in once.output


def test_scheduler_process_stops_cleanly_on_sigterm(tmp_path):
    env = {
        **os.environ,
        "APP_ENV": "development",
        "FLASK_APP": "wsgi.py",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'sched.sqlite3'}",
        "INSTANCE_PATH": str(tmp_path),
        "PYTHONUNBUFFERED": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask", "scheduler", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        started = proc.stdout.readline()
        assert "scheduler running" in started, started
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, output
    assert "received SIGTERM" in output and "scheduler stopped" in output


def test_the_app_factory_never_starts_a_scheduler(sandbox):
    from backend import create_app

    create_app("development", WECHAT_API_BASE=sandbox.base_url, SCHEDULER_ENABLED=True)
    assert not [t for t in threading.enumerate() if t.name == "APScheduler"]
