"""Field builders fit WeChat's rules for Chinese text and emoji; every template passes them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from backend.services.notification_templates import (
    TEMPLATES,
    WECHAT_KINDS,
    FieldError,
    cut,
    fit_amount,
    fit_character_string,
    fit_date,
    fit_phrase,
    fit_thing,
    fit_time,
    kind_of_template_id,
    published_templates,
)
from backend.wechat.sandbox import _check_subscribe_data

FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # one visible emoji, seven code points
THUMB = "👍🏽"  # emoji + skin tone
FLAG = "🇨🇳"  # two regional indicators


def test_thing_keeps_short_chinese_and_cuts_long_with_an_ellipsis():
    assert fit_thing("龙津社区夜间治安巡逻") == "龙津社区夜间治安巡逻"
    long = "丰城市剑光街道龙津社区二〇二六年春季夜间治安巡逻志愿服务活动"
    fitted = fit_thing(long)
    assert len(fitted) == 20 and fitted.endswith("…") and fitted.startswith("丰城市剑光街道")
    assert fit_thing("一" * 20) == "一" * 20  # exactly at the limit: untouched


def test_thing_never_splits_an_emoji():
    for emoji in (FAMILY, THUMB, FLAG):
        for prefix in range(12, 20):
            text = "巡" * prefix + emoji + "结束了结束了结束了"
            fitted = fit_thing(text)
            assert len(fitted) <= 20
            body = fitted.removesuffix("…")
            # Either the whole emoji is kept or none of it is.
            assert emoji in body or not any(ch in body for ch in emoji if ord(ch) > 0x2000)
            assert not body.endswith("\u200d")


def test_cut_handles_combining_marks_and_pairs_of_flags():
    assert cut("e\u0301" * 6, 4) == "e\u0301…"
    assert cut(FLAG * 5, 4) == FLAG + "…"
    assert cut(FLAG * 5, 5) == FLAG * 2 + "…"


def test_thing_flattens_lines_and_control_characters():
    assert fit_thing("第一行\n第二行\t\x00结束") == "第一行 第二行 结束"
    assert fit_thing("   ") == "无" and fit_thing(None) == "无"


def test_phrase_is_five_chinese_characters_at_most():
    assert fit_phrase("审核通过") == "审核通过"
    assert fit_phrase("未通过(材料不全)") == "未通过材料"
    assert fit_phrase("approved") == "无"
    assert fit_phrase("已通过✅") == "已通过"


def test_character_string_keeps_ascii_only_within_32():
    assert fit_character_string("PA20260000012") == "PA20260000012"
    assert fit_character_string("编号PA-1") == "PA-1"
    assert len(fit_character_string("X" * 40)) == 32
    assert fit_character_string("无编号") == "-"


def test_time_is_china_time_to_the_minute():
    assert fit_time("2026-03-08T01:30:00+00:00") == "2026-03-08 09:30"
    assert fit_time(datetime(2026, 12, 31, 17, 5, tzinfo=UTC)) == "2027-01-01 01:05"
    assert fit_time("2026-03-08T09:30:00+08:00") == "2026-03-08 09:30"
    assert fit_time("2026-03-08T01:30:00") == "2026-03-08 09:30"  # naive means UTC (storage)
    with pytest.raises(FieldError):
        fit_time("明天上午")


def test_date_and_amount():
    assert fit_date(date(2026, 5, 4)) == "2026-05-04"
    assert fit_date("2026-05-04") == "2026-05-04"
    assert fit_date("2026-05-03T18:00:00+00:00") == "2026-05-04"
    assert fit_amount("1234.5") == "1234.50元"
    assert fit_amount(Decimal("0.1")) == "0.10元"
    assert fit_amount("2,000元") == "2000.00元"
    with pytest.raises(FieldError):
        fit_amount("两千")


NASTY = "🎉🎉平安大联盟" + FAMILY * 3 + "夜间巡逻志愿服务活动正式启动啦" + THUMB + FLAG * 4
FIELDS = {
    "activity": NASTY,
    "start_at": "2026-03-08T01:30:00+00:00",
    "place": NASTY,
    "result": "审核未通过(资料不全)",
    "reason": NASTY,
    "number": "PA2026000001编号" * 3,
    "title": NASTY,
    "status": "处理中✅",
    "updated_at": "2026-03-08T01:30:00+00:00",
    "note": NASTY,
    "tier": "乡镇(街道)",
    "deadline": "2026-03-09T01:30:00+00:00",
    "award": NASTY,
    "date": "2026-03-08",
    "fund": NASTY,
    "amount_yuan": "12345.6",
    "period": "2026年3月第2周" + THUMB * 10,
    "published_at": "2026-03-08T01:30:00+00:00",
}


@pytest.mark.parametrize("kind", WECHAT_KINDS)
def test_every_template_builds_data_the_sandbox_accepts(kind):
    data = TEMPLATES[kind].build(FIELDS)
    assert set(data) == {k.key for k in TEMPLATES[kind].keywords}
    assert _check_subscribe_data({k: {"value": v} for k, v in data.items()}) is None, data


@pytest.mark.parametrize("kind", WECHAT_KINDS)
def test_every_template_builds_with_fields_missing(kind):
    if any(k.type == "amount" for k in TEMPLATES[kind].keywords):
        with pytest.raises(FieldError):  # no amount to show: inbox only, never a guess
            TEMPLATES[kind].build({})
        return
    data = TEMPLATES[kind].build({})  # texts get 无, times the moment of the notice
    assert _check_subscribe_data({k: {"value": v} for k, v in data.items()}) is None, data


def test_registry_reads_template_ids_from_config(app):
    items = published_templates()
    assert {i["kind"] for i in items} == set(WECHAT_KINDS)
    assert len(WECHAT_KINDS) == 10
    assert kind_of_template_id(app.config["WECHAT_TEMPLATE_IDS"]["award_result"]) == "award_result"
    assert kind_of_template_id("tmpl-unknown") is None
    saved = dict(app.config["WECHAT_TEMPLATE_IDS"])
    app.config["WECHAT_TEMPLATE_IDS"]["award_result"] = ""
    try:
        assert "award_result" not in {i["kind"] for i in published_templates()}
    finally:
        app.config["WECHAT_TEMPLATE_IDS"] = saved


def test_inbox_text_is_made_from_the_fields():
    text = TEMPLATES["activity_reminder"].describe(
        {"activity": "夜间巡逻", "start_at": "2026-03-08T11:00:00+00:00", "place": "村委会"}
    )
    assert text == "活动名称:夜间巡逻\n开始时间:2026-03-08 19:00\n活动地点:村委会"
