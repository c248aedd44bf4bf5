"""``flask`` commands: seed, roles, WeChat sandbox, scheduler, ledgers."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from backend.extensions import db

seed_cli = AppGroup("seed", help="Load data.")
roles_cli = AppGroup("roles", help="Grant and revoke roles.")
wechat_cli = AppGroup("wechat", help="WeChat sandbox.")
scheduler_cli = AppGroup("scheduler", help="Periodic jobs (run exactly one scheduler).")
ledger_cli = AppGroup("ledger", help="Ledgers (funds, points) against their kept totals.")


@seed_cli.command("demo")
def seed_demo_command() -> None:
    """Load the demo county 丰城市 and something to show for every mechanism (once)."""
    from backend.demo.activities import seed_demo_activities
    from backend.demo.county import seed_demo
    from backend.demo.showcase import seed_showcase

    county = seed_demo()
    upcoming = seed_demo_activities()
    showcase = seed_showcase()
    db.session.commit()
    if county or upcoming or any(showcase.values()):
        parts = ", ".join(f"{k} {v}" for k, v in {"activities": upcoming, **showcase}.items())
        click.echo(f"演示数据已载入 / demo data loaded ({parts})")
    else:
        click.echo("演示数据已存在,跳过 / demo data already present")


@seed_cli.command("activities")
def seed_activities_command() -> None:
    """Add demo activities to the demo county (after ``seed demo``; once)."""
    from backend.demo.activities import seed_demo_activities

    written = seed_demo_activities()
    db.session.commit()
    click.echo(f"演示活动 {written} 个已载入 / {written} demo activities loaded")


@roles_cli.command("grant")
@click.argument("openid")
@click.argument("role")
@click.argument("region_code")
def grant_command(openid: str, role: str, region_code: str) -> None:
    """Grant ROLE in REGION_CODE to the user with OPENID."""
    from backend.errors import APIError
    from backend.services.regions import get_by_code
    from backend.services.roles import grant_role, user_by_openid

    try:
        grant_role(user_by_openid(openid), role, get_by_code(region_code))
    except APIError as exc:
        raise click.ClickException(f"{exc.message} {exc.errors or ''}") from exc
    db.session.commit()
    click.echo(f"granted {role} in {region_code} to {openid}")


@roles_cli.command("revoke")
@click.argument("openid")
@click.argument("role")
@click.argument("region_code")
def revoke_command(openid: str, role: str, region_code: str) -> None:
    """Revoke ROLE in REGION_CODE from the user with OPENID."""
    from backend.errors import APIError
    from backend.services.regions import get_by_code
    from backend.services.roles import revoke_role, user_by_openid

    try:
        revoke_role(user_by_openid(openid), role, get_by_code(region_code))
    except APIError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"revoked {role} in {region_code} from {openid}")


@ledger_cli.command("check")
def ledger_check_command() -> None:
    """Recompute every ledger's totals from its entries; exit 1 when any differs."""
    from backend.services.ledger_checks import LEDGER_CHECKS, run_ledger_checks

    problems = run_ledger_checks()
    db.session.rollback()  # read only
    if problems:
        for line in problems:
            click.echo(line, err=True)
        raise click.exceptions.Exit(1)
    click.echo(f"台账核对通过 / ledgers consistent ({len(LEDGER_CHECKS)} checks)")


@wechat_cli.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5001, show_default=True, type=int)
def sandbox_command(host: str, port: int) -> None:
    """Serve the WeChat sandbox alone."""
    from backend.wechat.sandbox import run_sandbox

    run_sandbox(host, port)


@scheduler_cli.command("run")
def scheduler_run_command() -> None:
    """Run the scheduler in the foreground until SIGTERM or Ctrl-C (one process only)."""
    from flask import current_app

    from backend.jobs.scheduler import run_forever

    click.echo("调度器已启动 / scheduler running (SIGTERM or Ctrl-C to stop)")
    run_forever(current_app._get_current_object())
    click.echo("调度器已停止 / scheduler stopped")


@scheduler_cli.command("list")
def scheduler_list_command() -> None:
    """List every registered job with its trigger."""
    from backend.jobs.registry import JOBS

    for job in JOBS:
        args = ", ".join(f"{k}={v}" for k, v in job.trigger_args.items())
        click.echo(f"{job.id:32} {job.trigger}({args})  {job.description}")


@scheduler_cli.command("run-once")
@click.argument("job_id")
def scheduler_run_once_command(job_id: str) -> None:
    """Run one job now, in this process, and print its summary."""
    from flask import current_app

    from backend.jobs.registry import JOBS
    from backend.jobs.scheduler import run_job

    if job_id not in {job.id for job in JOBS}:
        raise click.ClickException(f"unknown job {job_id!r}; see `flask scheduler list`")
    try:
        result = run_job(current_app._get_current_object(), job_id)
    except Exception as exc:  # logged by run_job; a non-zero exit for scripts
        raise click.ClickException(f"job {job_id} failed: {exc}") from exc
    click.echo(f"{job_id}: {result}")


@click.command("dev")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=None, type=int, help="default: $PORT or 5000")
def dev_command(host: str, port: int | None) -> None:
    """Serve the API with the WeChat sandbox mounted and the scheduler embedded (development)."""
    from flask import current_app
    from werkzeug.middleware.dispatcher import DispatcherMiddleware
    from werkzeug.serving import run_simple

    from backend.wechat import create_sandbox_app

    app = current_app._get_current_object()
    port = port or app.config.get("PORT", 5000)
    mount = app.config.get("WECHAT_SANDBOX_MOUNT")
    wsgi = DispatcherMiddleware(app, {mount: create_sandbox_app()}) if mount else app
    scheduler = _start_embedded_scheduler(app)
    base = f"http://{host}:{port}"
    click.echo(DEV_BANNER.format(base=base, mount=mount or "(未挂载)"))
    try:
        # threaded: the API calls the sandbox mounted on this same server.
        run_simple(host, port, wsgi, threaded=True, use_reloader=False)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)


def _start_embedded_scheduler(app: Flask):
    """Start the job scheduler inside the dev server (once: the dev server has no reloader)."""
    if not app.config.get("SCHEDULER_ENABLED"):
        return None
    try:
        from backend.jobs.scheduler import start_background
    except ImportError:
        return None
    return start_background(app)


DEV_BANNER = """
平安大联盟 Safe Alliance — 开发服务器 / development server
  API:      {base}/api/v1/health
  文档 docs: {base}/api/v1/docs   (OpenAPI: {base}/api/v1/openapi.json)
  微信沙箱:  {base}{mount}/  (WeChat sandbox: 接口与已发送的订阅消息 / endpoints and the
             recorded messages; JSON: {base}{mount}/__sandbox__/messages)

演示账号通过沙箱登录 / demo users log in through the sandbox:
  curl -X POST {base}/api/v1/auth/wechat -H 'Content-Type: application/json' \\
       -d '{{"code": "demo-village-admin"}}'
  登录码 login codes: demo-city-admin, demo-township-admin, demo-village-admin,
  demo-grid-worker, demo-police, demo-volunteer … demo-volunteer-5, demo-resident
  (一个登录码只能用一次;再次登录用 "demo-volunteer#2" 这样的新码 / a code works once:
   log in again with a fresh code such as "demo-volunteer#2")
"""


def register_cli(app: Flask) -> None:
    for group in (seed_cli, roles_cli, wechat_cli, scheduler_cli, ledger_cli):
        app.cli.add_command(group)
    app.cli.add_command(dev_command)
