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


JOBS: list[Job] = [
    # 通知 — notifications
    Job(
        id="notifications.dispatch",
        func="backend.jobs.notifications:dispatch",
        trigger="interval",
        trigger_args={"seconds": 10},
        description="发送到期的订阅消息(微信不可用时退避重试)",
        misfire_grace_time=30,
    ),
    # 服务响应 — service requests
    Job(
        id="service_requests.escalate_overdue",
        func="backend.jobs.service_requests:escalate_overdue",
        trigger="interval",
        trigger_args={"minutes": 1},
        description="超时服务请求逐级上报(村→乡镇→市)并通知上级管理员",
    ),
    Job(
        id="service_requests.close_unrated",
        func="backend.jobs.service_requests:close_unrated",
        trigger="interval",
        trigger_args={"minutes": 30},
        description="办结后超过期限未评价的服务请求自动关闭",
    ),
    # 经费筹措 — funds (and, through services/ledger_checks.LEDGER_CHECKS, every ledger)
    Job(
        id="funds.ledger_check",
        func="backend.jobs.funds:nightly_ledger_check",
        trigger="cron",
        trigger_args={"hour": 2, "minute": 30},
        description="每晚核对经费、积分台账与账面合计,不一致时通知市级管理员",
        misfire_grace_time=3600,
    ),
    # 活动开展 — activities
    Job(
        id="activities.reminders",
        func="backend.jobs.activities:send_reminders",
        trigger="interval",
        trigger_args={"minutes": 5},
        description="活动开始前24小时和1小时提醒已报名的志愿者",
    ),
    Job(
        id="activities.auto_checkout",
        func="backend.jobs.activities:auto_checkout",
        trigger="interval",
        trigger_args={"minutes": 5},
        description="活动结束时为忘记签退的人自动签退(标记),记录时长和积分",
    ),
    Job(
        id="activities.no_shows",
        func="backend.jobs.activities:mark_no_shows",
        trigger="interval",
        trigger_args={"minutes": 10},
        description="活动结束后将未签到的报名标记为缺席",
    ),
    # 绩效考核 · 表彰激励 — assessment and recognition
    Job(
        id="recognition.daily_best",
        func="backend.jobs.recognition:daily_best",
        trigger="cron",
        trigger_args={"hour": 0, "minute": 10},
        description="日评优:发布前一天各乡镇(街道)积分前列的志愿者",
        misfire_grace_time=3600,
    ),
    Job(
        id="recognition.weekly_dispatch",
        func="backend.jobs.recognition:weekly_dispatch",
        trigger="cron",
        trigger_args={"day_of_week": "mon", "hour": 8, "minute": 0},
        description="周调度:每周一发布各村(社区)在办和超期服务请求",
        misfire_grace_time=3600,
    ),
    Job(
        id="recognition.monthly_bulletin",
        func="backend.jobs.recognition:monthly_bulletin",
        trigger="cron",
        trigger_args={"day": 1, "hour": 8, "minute": 0},
        description="月通报:每月1日发布上月各乡镇(街道)和全市排名、关键指标和图表",
        misfire_grace_time=6 * 3600,
    ),
    Job(
        id="recognition.quarterly_talks",
        func="backend.jobs.recognition:quarterly_talks",
        trigger="cron",
        trigger_args={"month": "1,4,7,10", "day": 1, "hour": 9, "minute": 0},
        description="季约谈:每季度首日发布上季度综合得分靠后的村(社区)和网格员名单",
        misfire_grace_time=6 * 3600,
    ),
    Job(
        id="recognition.annual_review",
        func="backend.jobs.recognition:annual_review",
        trigger="cron",
        trigger_args={"month": 1, "day": 1, "hour": 10, "minute": 0},
        description="年考评:每年1月1日发布上一年度各乡镇(街道)和全市考评",
        misfire_grace_time=6 * 3600,
    ),
    Job(
        id="recognition.points_expiry",
        func="backend.jobs.recognition:points_expiry",
        trigger="cron",
        trigger_args={"month": 1, "day": 1, "hour": 0, "minute": 30},
        description="积分年度到期(POINTS_EXPIRY_ENABLED 开启时)",
        misfire_grace_time=6 * 3600,
    ),
    # 维护 — housekeeping
    Job(
        id="maintenance.purge",
        func="backend.jobs.maintenance:purge",
        trigger="cron",
        trigger_args={"hour": 3, "minute": 30},
        description="清理已送达的订阅消息发送记录和过期的幂等键(台账、站内信、审计不清理)",
        misfire_grace_time=3600,
    ),
]
