"""The scheduler: APScheduler running every job of ``registry.JOBS``.

Production runs exactly one ``flask scheduler run`` process (blocking, stops cleanly on SIGTERM
or Ctrl-C); ``flask dev`` embeds one in the development server through ``start_background``;
gunicorn workers (wsgi.py) never start one. Every run goes through ``run_job``: its own app
context and session, a commit when the job returns, a rollback when it raises (a run the database
interrupts is run again in a fresh transaction), and a log line.
Two schedulers running by accident do no harm because jobs claim their rows atomically;
``max_instances=1`` and ``coalesce`` keep one process from overlapping itself or catching up
with a burst of missed runs.
"""

from __future__ import annotations

import importlib
import logging
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from flask import Flask

from backend.extensions import db
from backend.jobs.registry import JOBS, Job
from backend.transactions import run_in_transaction

log = logging.getLogger(__name__)


def job_by_id(job_id: str) -> Job:
    for job in JOBS:
        if job.id == job_id:
            return job
    raise KeyError(job_id)


def resolve(job: Job) -> Callable[[], Any]:
    """The job's function from its ``"module:function"`` path."""
    module_name, _, name = job.func.partition(":")
    return getattr(importlib.import_module(module_name), name)


def run_job(app: Flask, job_id: str) -> Any:
    """Run one job in a fresh app context; commit on success, roll back and re-raise on error.

    A run the database interrupts (deadlock, Galera conflict, lost connection) is run again
    from the start in a fresh transaction (``transactions.run_in_transaction``).
    """
    job = job_by_id(job_id)
    func = resolve(job)
    started = time.monotonic()
    with app.app_context():
        try:
            result = run_in_transaction(func, label=f"job {job_id}")
        except Exception:
            log.exception("job %s failed after %.2fs", job_id, time.monotonic() - started)
            raise
        finally:
            db.session.remove()
    log.info("job %s done in %.2fs: %s", job_id, time.monotonic() - started, result)
    return result


def _scheduled_run(app: Flask, job_id: str) -> None:
    try:
        run_job(app, job_id)
    except Exception:  # noqa: BLE001 - logged by run_job; the next run tries again
        pass


def build_scheduler(app: Flask, scheduler_class: type[BaseScheduler] = BackgroundScheduler):
    """A scheduler (not started) with every registered job."""
    scheduler = scheduler_class(
        timezone=app.config.get("SCHEDULER_TIMEZONE", "Asia/Shanghai"),
        job_defaults={"coalesce": True, "max_instances": 1},
    )
    for job in JOBS:
        resolve(job)  # a typo in the registry fails at start, not at the first run
        scheduler.add_job(
            _scheduled_run,
            trigger=job.trigger,
            args=(app, job.id),  # ids, not objects: each run loads what it needs
            id=job.id,
            name=job.description or job.id,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=job.misfire_grace_time,
            replace_existing=True,
            **job.trigger_args,
        )
    return scheduler


def start_background(app: Flask) -> BackgroundScheduler:
    """Start the scheduler in background threads (the dev server); ``.shutdown()`` stops it."""
    scheduler = build_scheduler(app, BackgroundScheduler)
    scheduler.start()
    log.info("scheduler started in the background with %s jobs", len(JOBS))
    return scheduler


def run_forever(app: Flask, stop: threading.Event | None = None) -> None:
    """Run the scheduler until SIGTERM/SIGINT (or ``stop`` is set), then stop cleanly.

    The signal handler only sets an event; the main thread then shuts the scheduler down and
    waits for a running job to finish, so no run is cut off halfway through its batch.
    """
    stop = stop or threading.Event()

    def _on_signal(signum: int, _frame: Any) -> None:
        log.info("scheduler received %s; stopping", signal.Signals(signum).name)
        stop.set()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, _on_signal)
    scheduler = build_scheduler(app, BackgroundScheduler)
    scheduler.start()
    for job in scheduler.get_jobs():
        log.info("scheduled %s (%s), next run %s", job.id, job.trigger, job.next_run_time)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        scheduler.shutdown(wait=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        log.info("scheduler stopped")
