"""The one list of periodic jobs (DESIGN.md §5).

Each job is a plain function taking no arguments, run by the scheduler inside an app context with
its own session; the runner commits after it returns and rolls back if it raises. Job functions
claim their rows atomically (``UPDATE … WHERE status = …`` and a row-count check) and pass ids,
not objects, so two schedulers running by accident do no harm. Add a job by appending a ``Job``
here; its function lives in ``backend/jobs/<domain>.py`` and calls services.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Job:
    id: str
    # "module:function", resolved when the scheduler starts (keeps imports one-way).
    func: str
    # APScheduler trigger name ("interval" or "cron") and its arguments, in China time.
    trigger: str
    trigger_args: dict = field(default_factory=dict)
    description: str = ""
    misfire_grace_time: int = 60


JOBS: list[Job] = []

JOBS.append(
    Job(
        id="recognition.daily_best",
        func="backend.jobs.recognition:daily_best",
        trigger="cron",
        trigger_args={"hour": 0, "minute": 10},
        description="日评优:发布前一天各乡镇(街道)积分前列的志愿者",
        misfire_grace_time=3600,
    )
)
JOBS.append(
    Job(
        id="recognition.points_expiry",
        func="backend.jobs.recognition:points_expiry",
        trigger="cron",
        trigger_args={"month": 1, "day": 1, "hour": 0, "minute": 30},
        description="积分年度到期(POINTS_EXPIRY_ENABLED 开启时)",
        misfire_grace_time=6 * 3600,
    )
)
