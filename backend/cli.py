"""``flask`` commands: seed, roles, WeChat sandbox (and, as they arrive, scheduler and ledgers)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from backend.extensions import db

seed_cli = AppGroup("seed", help="Load data.")
roles_cli = AppGroup("roles", help="Grant and revoke roles.")
wechat_cli = AppGroup("wechat", help="WeChat sandbox.")


@seed_cli.command("demo")
def seed_demo_command() -> None:
    """Load the demo county 丰城市 with admins, volunteers and teams (once)."""
    from backend.services.demo_data import seed_demo

    if seed_demo():
        db.session.commit()
        click.echo("演示数据已载入 / demo data loaded")
    else:
        click.echo("演示数据已存在,跳过 / demo data already present")


@seed_cli.command("activities")
def seed_activities_command() -> None:
    """Add demo activities to the demo county (after ``seed demo``; once)."""
    from backend.services.activity_demo import seed_demo_activities

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


@wechat_cli.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5001, show_default=True, type=int)
def sandbox_command(host: str, port: int) -> None:
    """Serve the WeChat sandbox alone."""
    from backend.wechat.sandbox import run_sandbox

    run_sandbox(host, port)


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
  微信沙箱:  {base}{mount}/  (WeChat sandbox)

演示账号通过沙箱登录 / demo users log in through the sandbox:
  curl -X POST {base}/api/v1/auth/wechat -H 'Content-Type: application/json' \\
       -d '{{"code": "demo-village-admin"}}'
  登录码 login codes: demo-city-admin, demo-township-admin, demo-village-admin,
  demo-grid-worker, demo-police, demo-volunteer … demo-volunteer-5, demo-resident
  (一个登录码只能用一次;再次登录用 "demo-volunteer#2" 这样的新码 / a code works once:
   log in again with a fresh code such as "demo-volunteer#2")
"""


def register_cli(app: Flask) -> None:
    for group in (seed_cli, roles_cli, wechat_cli):
        app.cli.add_command(group)
    app.cli.add_command(dev_command)
