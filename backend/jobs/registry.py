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

JOBS += [
    Job(
        id="activity_reminders",
        func="backend.jobs.activities:send_reminders",
        trigger="interval",
        trigger_args={"minutes": 5},
        description="活动开始前24小时和1小时提醒已报名的志愿者",
    ),
    Job(
        id="activity_auto_checkout",
        func="backend.jobs.activities:auto_checkout",
        trigger="interval",
        trigger_args={"minutes": 5},
        description="活动结束时为忘记签退的人自动签退(标记),记录时长和积分",
    ),
    Job(
        id="activity_no_shows",
        func="backend.jobs.activities:mark_no_shows",
        trigger="interval",
        trigger_args={"minutes": 10},
        description="活动结束后将未签到的报名标记为缺席",
    ),
]
