"""`flask ledger check` and its nightly job: totals recomputed from the entries."""

from __future__ import annotations

from freezegun import freeze_time
from sqlalchemy import update

from backend.extensions import db
from backend.jobs.registry import JOBS
from backend.models import Fund, FundEntry, Notification
from tests.funds_support import donate, expense, open_fund


def _ledger(api, demo):
    fund = open_fund(api, demo)
    village = demo.user("demo-village-admin")
    township = demo.user("demo-township-admin")
    donate(api, village, fund["id"], 40_000)
    gift = donate(api, village, fund["id"], 6_000)
    donate(api, village, fund["id"], 5_000, in_kind=True, item_description="对讲机 2 台")
    spent = api.post(f"/funds/{fund['id']}/expenses", village, json=expense(9_000)).get_json()
    assert api.post(f"/expenses/{spent['id']}/approve", township, json={}).status_code == 200
    assert api.post(f"/expenses/{spent['id']}/pay", township, json={}).status_code == 200
    reversed_ = api.post(f"/fund-entries/{gift['id']}/reverse", village, json={"reason": "退回"})
    assert reversed_.status_code == 201
    donate(api, village, fund["id"], 10_000)
    return fund


def test_cli_passes_on_a_consistent_ledger(app, api, demo):
    _ledger(api, demo)
    result = app.test_cli_runner().invoke(args=["ledger", "check"])
    assert result.exit_code == 0, result.output
    assert "台账核对通过" in result.output


def test_cli_reports_a_tampered_total_and_exits_non_zero(app, api, demo):
    fund = _ledger(api, demo)
    db.session.execute(update(Fund).where(Fund.id == fund["id"]).values(balance_fen=999_999))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["ledger", "check"])
    assert result.exit_code == 1
    assert f"基金 #{fund['id']}" in result.output and "余额" in result.output
    assert "差额" in result.output


def test_cli_reports_a_forged_entry(app, api, demo):
    fund = _ledger(api, demo)
    # An entry written behind the service's back: the totals no longer match the rows.
    db.session.add(
        FundEntry(
            fund_id=fund["id"], kind="donation", bucket="income", amount_fen=1, sign=1, note=""
        )
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["ledger", "check"])
    assert result.exit_code == 1
    assert "收入" in result.output and "笔数" in result.output


def test_cli_reports_a_broken_reversal_even_when_sums_agree(app, api, demo):
    fund = _ledger(api, demo)
    reversal = db.session.scalar(db.select(FundEntry).where(FundEntry.kind == "reversal"))
    original = db.session.get(FundEntry, reversal.reverses_id)
    # Point the reversal at the in-kind gift instead: buckets and amounts now disagree.
    goods = db.session.scalar(db.select(FundEntry).where(FundEntry.in_kind.is_(True)))
    db.session.execute(
        update(FundEntry).where(FundEntry.id == reversal.id).values(reverses_id=goods.id)
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["ledger", "check"])
    assert result.exit_code == 1
    assert f"冲正记录 #{reversal.id}" in result.output
    assert original.id != goods.id and fund["id"]


def test_a_crashing_check_is_reported(app, monkeypatch):
    from backend.services import ledger_checks

    def missing() -> list[str]:
        raise ModuleNotFoundError("No module named 'backend.nope'")

    monkeypatch.setitem(ledger_checks.LEDGER_CHECKS, "backend.nope:missing", missing)
    result = app.test_cli_runner().invoke(args=["ledger", "check"])
    assert result.exit_code == 1 and "backend.nope:missing" in result.output


def test_nightly_job_is_registered_and_alerts_city_admins(api, demo, new_user):
    from backend.jobs.funds import nightly_ledger_check
    from tests.funds_support import admin

    [job] = [j for j in JOBS if j.id == "funds.ledger_check"]
    assert job.func == "backend.jobs.funds:nightly_ledger_check" and job.trigger == "cron"
    fund = _ledger(api, demo)
    assert nightly_ledger_check() == {"problems": 0, "alerted": 0}
    db.session.commit()
    assert (
        db.session.scalar(db.select(db.func.count()).where(Notification.kind == "ledger_alert"))
        == 0
    )
    second_city = admin(new_user, "city_admin", demo.city, "city2")
    db.session.execute(update(Fund).where(Fund.id == fund["id"]).values(expense_fen=0))
    db.session.commit()
    with freeze_time("2026-03-01 18:30:00"):  # 02:30 China time
        summary = nightly_ledger_check()
        db.session.commit()
        assert summary == {"problems": 2, "alerted": 2}  # expense and balance both off
        again = nightly_ledger_check()  # a rerun the same night adds nothing
        db.session.commit()
        assert again["alerted"] == 2
    alerts = db.session.scalars(
        db.select(Notification).where(Notification.kind == "ledger_alert")
    ).all()
    assert sorted(a.user_id for a in alerts) == sorted(
        [demo.user("demo-city-admin").id, second_city.id]
    )
    assert all("台账核对发现 2 处不一致" in a.fields["summary"] for a in alerts)
    assert all(a.dedupe_key.startswith("ledger_alert:2026-03-02:") for a in alerts)
    assert not any(a.user_id == demo.user("demo-township-admin").id for a in alerts)
