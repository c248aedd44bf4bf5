"""The inbox, subscriptions and templates routes; the admin outbox routes."""

from __future__ import annotations

import threading

import pytest
import requests
from sqlalchemy import event, func, select

from backend.extensions import db
from backend.models import AuditLog, OutboxMessage, Subscription
from tests.notify_support import dispatch, notify, outbox_rows, remaining, subscribe, template_id

# -- inbox ----------------------------------------------------------------------------------


def test_inbox_lists_my_notices_newest_first_with_unread_count(app, api, new_user):
    me, other = new_user("me"), new_user("other")
    for i in range(3):
        notify(me, f"mine:{i}", reason=f"第{i}条")
    notify(other, "theirs:1")
    body = api.get("/me/notifications", me).get_json()
    assert body["total"] == 3 and body["unread_count"] == 3
    assert [item["fields"]["reason"] for item in body["items"]] == ["第2条", "第1条", "第0条"]
    item = body["items"][0]
    assert item["is_read"] is False and item["read_at"] is None
    assert item["created_at"].endswith("+08:00")
    assert item["page"] == "pages/mine/index"  # the template's page when the caller gave none
    assert "审核结果:审核通过" in item["content"]  # readable text made from the fields
    assert api.get("/me/notifications", other).get_json()["total"] == 1


def test_inbox_filters_and_pages(app, api, new_user):
    me = new_user("filters")
    notify(me, "f:1")
    notify(me, "f:2", kind="level_up", level="★★", hours=300)
    second = notify(me, "f:3")
    api.post(f"/me/notifications/{second.id}/read", me)
    assert api.get("/me/notifications?unread=true", me).get_json()["total"] == 2
    assert api.get("/me/notifications?unread=false", me).get_json()["total"] == 1
    levels = api.get("/me/notifications?kind=level_up", me).get_json()
    assert [i["kind"] for i in levels["items"]] == ["level_up"]
    page = api.get("/me/notifications?page=2&page_size=2", me).get_json()
    assert page["total"] == 3 and len(page["items"]) == 1 and page["unread_count"] == 2


@pytest.mark.parametrize("query", ["kind=nope", "page_size=1000", "page=0", "unread=maybe"])
def test_inbox_query_validation(api, new_user, query):
    response = api.get(f"/me/notifications?{query}", new_user("q"))
    assert response.status_code == 422 and response.get_json()["code"] == "validation_error"


def test_inbox_needs_login(api):
    for method, path in (
        ("GET", "/me/notifications"),
        ("GET", "/me/notifications/unread-count"),
        ("POST", "/me/notifications/1/read"),
        ("POST", "/me/notifications/read-all"),
        ("POST", "/me/subscriptions"),
        ("GET", "/me/subscriptions"),
    ):
        assert api.call(method, path, json_body={}).status_code == 401, path


def test_mark_read_is_idempotent_and_only_for_my_notices(app, api, new_user):
    me, other = new_user("reader"), new_user("snoop")
    notice = notify(me, "read:1")
    first = api.post(f"/me/notifications/{notice.id}/read", me)
    assert first.status_code == 200 and first.get_json()["is_read"] is True
    again = api.post(f"/me/notifications/{notice.id}/read", me)
    assert again.get_json()["read_at"] == first.get_json()["read_at"]
    assert api.post(f"/me/notifications/{notice.id}/read", other).status_code == 404
    assert api.post("/me/notifications/999999/read", me).status_code == 404
    assert api.get("/me/notifications/unread-count", me).get_json() == {"unread_count": 0}


def test_read_all_marks_only_mine(app, api, new_user):
    me, other = new_user("all"), new_user("notall")
    for i in range(3):
        notify(me, f"all:{i}")
    notify(other, "notall:1")
    response = api.post("/me/notifications/read-all", me)
    assert response.get_json() == {"updated": 3, "unread_count": 0}
    assert api.get("/me/notifications/unread-count", other).get_json()["unread_count"] == 1
    assert api.post("/me/notifications/read-all", me).get_json()["updated"] == 0


def test_inbox_list_has_no_n_plus_one(app, api, new_user):
    me = new_user("nplus")
    for i in range(8):
        notify(me, f"n:{i}")
    headers = api.headers(me)
    counts = []
    statements = []

    def count(*_args):
        statements.append(1)

    for size in (2, 8):
        db.session.remove()
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            response = api.client.get(f"/api/v1/me/notifications?page_size={size}", headers=headers)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert len(response.get_json()["items"]) == size
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


# -- subscriptions and templates ------------------------------------------------------------


def test_templates_are_public_and_configured(app, api):
    body = api.get("/notification-templates").get_json()
    kinds = {item["kind"]: item for item in body["items"]}
    assert len(kinds) == 10 and "level_up" not in kinds
    assert kinds["volunteer_review"]["template_id"] == template_id(app, "volunteer_review")
    assert kinds["volunteer_review"]["title"] == "志愿者审核结果通知"


def test_each_accept_banks_one_message(app, api, new_user):
    me = new_user("subs")
    review, award = template_id(app, "volunteer_review"), template_id(app, "award_result")
    first = api.post("/me/subscriptions", me, json={"results": {review: "accept", award: "reject"}})
    assert first.status_code == 200
    items = {i["kind"]: i for i in first.get_json()["items"]}
    assert items["volunteer_review"]["remaining"] == 1
    assert items["award_result"]["remaining"] == 0
    assert items["award_result"]["last_result"] == "reject"
    api.post("/me/subscriptions", me, json={"results": {review: "accept", "errMsg": "ok"}})
    assert remaining(app, me) == 2
    api.post("/me/subscriptions", me, json={"results": {review: "reject"}})
    assert remaining(app, me) == 2  # a later refusal does not take back earlier acceptances
    api.post("/me/subscriptions", me, json={"results": {review: "ban"}})
    assert remaining(app, me) == 0  # switched off in settings: nothing can be sent
    listed = api.get("/me/subscriptions", me).get_json()["items"]
    assert {i["kind"] for i in listed} == {"volunteer_review", "award_result"}


def test_acceptances_are_capped(app, api, new_user):
    app.config["NOTIFY_MAX_SUBSCRIPTIONS"] = 3
    try:
        me = new_user("cap")
        for _ in range(5):
            api.post(
                "/me/subscriptions",
                me,
                json={"results": {template_id(app, "volunteer_review"): "accept"}},
            )
        assert remaining(app, me) == 3
    finally:
        app.config["NOTIFY_MAX_SUBSCRIPTIONS"] = 50


@pytest.mark.parametrize(
    "body,field",
    [
        ({"results": {"tmpl-unknown": "accept"}}, "results"),
        ({"results": {"tmpl-volunteer_review": "maybe"}}, "results"),
        ({"results": {}}, "results"),
        ({"results": {"errMsg": "requestSubscribeMessage:ok"}}, "results"),
        ({}, "results"),
        ({"results": {"tmpl-volunteer_review": "accept"}, "remaining": 99}, "remaining"),
        ({"results": ["tmpl-volunteer_review"]}, "results"),
    ],
)
def test_subscription_validation(app, api, new_user, body, field):
    me = new_user("badsub")
    response = api.post("/me/subscriptions", me, json=body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert db.session.scalar(select(func.count(Subscription.id))) == 0


@pytest.mark.mysql
def test_concurrent_acceptances_each_count(app, api, new_user, live_server):
    me = new_user("concurrent")
    token = api.token_for(me)
    body = {"results": {template_id(app, "volunteer_review"): "accept"}}
    barrier = threading.Barrier(8)
    statuses = []

    def worker():
        barrier.wait(timeout=10)
        response = requests.post(
            f"{live_server.url}/api/v1/me/subscriptions",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [200] * 8
    assert remaining(app, me) == 8
    assert db.session.scalar(select(func.count(Subscription.id))) == 1


def test_enqueue_rejects_unknown_kinds(app, new_user):
    from backend.services.notifications import enqueue

    with pytest.raises(ValueError):
        enqueue("no_such_kind", new_user("k").id, dedupe_key="k:1", title="x")


def test_a_value_that_cannot_fit_keeps_the_notice_in_the_inbox_only(app, api, new_user, caplog):
    me = new_user("badtime")
    subscribe(app, me, kind="activity_reminder")
    notify(
        me, "bad:1", kind="activity_reminder", activity="巡逻", start_at="明天上午", place="村部"
    )
    assert outbox_rows() == []
    assert remaining(app, me, "activity_reminder") == 1  # not spent on a message never sent
    assert api.get("/me/notifications", me).get_json()["total"] == 1
    assert "not sent to WeChat" in caplog.text


# -- admin outbox ---------------------------------------------------------------------------


@pytest.fixture
def queued(app, new_user):
    """Three outbox rows: one sent, one failed, one pending of another kind."""
    users = [new_user(f"box{i}") for i in range(3)]
    subscribe(app, users[0])
    notify(users[0], "box:sent")
    dispatch()
    subscribe(app, users[1])
    failed = notify(users[1], "box:failed")
    db.session.execute(
        OutboxMessage.__table__.update()
        .where(OutboxMessage.notification_id == failed.id)
        .values(status="failed", attempts=8, last_errcode=-1, last_error="system error")
    )
    subscribe(app, users[2], kind="award_result")
    notify(users[2], "box:pending", kind="award_result", award="优秀志愿者", result="通过")
    db.session.commit()
    return users


def test_outbox_is_for_city_admins_only(api, demo, queued, new_user):
    city = demo.user("demo-city-admin")
    assert api.get("/admin/outbox", city).get_json()["total"] == 3
    for name in ("demo-township-admin", "demo-village-admin", "demo-grid-worker"):
        assert api.get("/admin/outbox", demo.user(name)).status_code == 403, name
    assert api.get("/admin/outbox", new_user("nobody")).status_code == 403
    assert api.get("/admin/outbox").status_code == 401
    assert api.get("/admin/outbox/stats", demo.user("demo-township-admin")).status_code == 403
    row = outbox_rows()[1]
    response = api.post(f"/admin/outbox/{row.id}/resend", demo.user("demo-township-admin"))
    assert response.status_code == 403


def test_outbox_filters_stats_and_export(api, demo, queued):
    city = demo.user("demo-city-admin")
    failed = api.get("/admin/outbox?status=failed", city).get_json()
    assert [i["status_name"] for i in failed["items"]] == ["发送失败"]
    assert failed["items"][0]["last_errcode"] == -1
    awards = api.get("/admin/outbox?kind=award_result", city).get_json()
    assert awards["total"] == 1 and awards["items"][0]["data"]["phrase2"] == "通过"
    mine = api.get(f"/admin/outbox?user_id={queued[0].id}", city).get_json()
    assert mine["total"] == 1 and mine["items"][0]["status"] == "sent"
    assert "openid" not in str(mine)
    assert api.get("/admin/outbox?status=lost", city).status_code == 422
    assert api.get("/admin/outbox?kind=level_up", city).status_code == 422
    stats = api.get("/admin/outbox/stats", city).get_json()
    assert stats == {"pending": 1, "sending": 0, "sent": 1, "skipped": 0, "failed": 1}
    csv = api.get("/admin/outbox?format=csv", city)
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    text = csv.get_data(as_text=True)
    assert text.startswith("\ufeff编号") and "发送失败" in text and len(text.splitlines()) == 4
    xlsx = api.get("/admin/outbox?format=xlsx&status=sent", city)
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_resend_only_failed_rows_and_audit(api, demo, queued):
    city = demo.user("demo-city-admin")
    rows = {row.status: row for row in outbox_rows()}
    response = api.post(f"/admin/outbox/{rows['failed'].id}/resend", city, json={"reason": "重试"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "pending" and body["attempts"] == 0
    audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "outbox.resend"))
    assert audit.actor_id == city.id and audit.reason == "重试"
    assert audit.before["status"] == "failed" and audit.after["status"] == "pending"
    again = api.post(f"/admin/outbox/{rows['failed'].id}/resend", city)
    assert again.status_code == 409 and again.get_json()["code"] == "invalid_transition"
    sent = api.post(f"/admin/outbox/{rows['sent'].id}/resend", city)
    assert sent.status_code == 409
    assert api.post("/admin/outbox/999999/resend", city).status_code == 404
    unknown = api.post(f"/admin/outbox/{rows['sent'].id}/resend", city, json={"status": "sent"})
    assert unknown.status_code == 422


def test_outbox_list_has_no_n_plus_one(app, api, demo, new_user):
    for i in range(8):
        user = new_user(f"obn{i}")
        subscribe(app, user)
        notify(user, f"obn:{i}")
    headers = api.headers(demo.user("demo-city-admin"))
    counts = []
    statements = []

    def count(*_args):
        statements.append(1)

    for size in (2, 8):
        db.session.remove()
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            response = api.client.get(f"/api/v1/admin/outbox?page_size={size}", headers=headers)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert len(response.get_json()["items"]) == size
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
