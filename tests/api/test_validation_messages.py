"""Per-field validation messages are Chinese, for every kind of mistake."""

from __future__ import annotations


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_field_errors_are_chinese(api, demo, new_user):
    user = new_user("msg")
    response = api.post(
        "/volunteers",
        user,
        json={"real_name": 1, "village_id": "x", "skills": "巡防员", "intro": "x" * 600, "oops": 1},
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert errors["real_name"] == ["应为字符串"]
    assert errors["village_id"] == ["应为整数"]
    assert errors["phone"] == ["该字段为必填项"]
    assert errors["skills"] == ["应为列表"]
    assert errors["intro"] == ["长度不能超过 500"]
    assert errors["oops"] == ["不支持的字段"]
    for messages in errors.values():
        assert all(_has_chinese(m) for m in messages), messages


def test_query_and_range_errors_are_chinese(api, demo):
    response = api.get("/regions?page=0&level=planet&extra=1")
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert errors["page"] == ["须大于或等于 1 且小于或等于 100000"]
    assert errors["level"][0].startswith("取值须为以下之一")
    assert errors["extra"] == ["不支持的字段"]


def test_non_object_body_is_chinese(api, new_user):
    response = api.call("POST", "/me/consents", new_user("arr"), json_body=["x"])
    assert response.status_code == 422
    body = response.get_json()
    assert all(_has_chinese(str(m)) for m in body["errors"].values()), body
