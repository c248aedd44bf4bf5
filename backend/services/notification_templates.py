"""The template registry: one entry per notice kind, and builders that fit values to WeChat.

A subscribe-message template has numbered keywords whose type sets the rule for its value
(``thing`` ≤ 20 characters, ``phrase`` ≤ 5 Chinese characters, ``time`` a date and time, …).
WeChat answers 47003 to a value that breaks its rule, and a message refused that way is lost, so
every value is fitted here, once, when the notice is raised. The keyword numbers below are the
ones of the templates to select in the WeChat console (README: 订阅消息模板); the template ids
come from configuration (``WECHAT_TEMPLATE_<KIND>``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app

from backend.utils import CHINA_TZ, china_text
from backend.wechat.gateway import KEYWORD_LIMITS

ELLIPSIS = "…"
ZWJ = "\u200d"
# Rules of the keyword types (characters, as WeChat counts them).
PLACEHOLDER = "无"


class FieldError(ValueError):
    """A value cannot be made to fit its keyword (e.g. a time that is not a time)."""


# -- grapheme-safe cutting ------------------------------------------------------------------


def _is_extender(ch: str) -> bool:
    """Characters that belong to the preceding one (never start a new visible character)."""
    code = ord(ch)
    return (
        ch == ZWJ
        or 0xFE00 <= code <= 0xFE0F  # variation selectors (emoji presentation)
        or 0x1F3FB <= code <= 0x1F3FF  # skin-tone modifiers
        or 0xE0020 <= code <= 0xE007F  # tag characters (subdivision flags)
        or 0xE0100 <= code <= 0xE01EF  # variation selectors supplement
        or unicodedata.combining(ch) != 0
    )


def _is_regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _boundary(text: str, index: int) -> bool:
    """Whether a cut before ``text[index]`` keeps every emoji and accented letter whole."""
    if index <= 0 or index >= len(text):
        return True
    if _is_extender(text[index]) or text[index - 1] == ZWJ:
        return False
    if _is_regional(text[index]) and _is_regional(text[index - 1]):
        # Flags are pairs of regional indicators: cut only after an even run.
        run = 0
        i = index - 1
        while i >= 0 and _is_regional(text[i]):
            run += 1
            i -= 1
        return run % 2 == 0
    return True


def cut(text: str, limit: int, ellipsis: str = ELLIPSIS) -> str:
    """``text`` in at most ``limit`` characters, cut between whole characters, with ``…``."""
    if len(text) <= limit:
        return text
    room = limit - len(ellipsis)
    index = max(room, 0)
    while index > 0 and not _boundary(text, index):
        index -= 1
    return text[:index].rstrip() + ellipsis


def _clean(value: Any) -> str:
    """One line of text: no control characters, whitespace runs collapsed."""
    text = "" if value is None else str(value)
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text)
    return re.sub(r"\s+", " ", text).strip()


# -- keyword builders ------------------------------------------------------------------------


def fit_thing(value: Any, limit: int = KEYWORD_LIMITS["thing"]) -> str:
    """``thing``: any text up to 20 characters (cut with …)."""
    return cut(_clean(value), limit) or PLACEHOLDER


def fit_name(value: Any) -> str:
    return cut(_clean(value), KEYWORD_LIMITS["name"]) or PLACEHOLDER


def fit_phrase(value: Any) -> str:
    """``phrase``: up to 5 Chinese characters and nothing else (no ellipsis allowed)."""
    chinese = "".join(ch for ch in _clean(value) if "\u4e00" <= ch <= "\u9fff")
    return chinese[: KEYWORD_LIMITS["phrase"]] or PLACEHOLDER


def fit_character_string(value: Any) -> str:
    """``character_string``: up to 32 letters, digits and ASCII symbols."""
    text = "".join(ch for ch in _clean(value) if 0x21 <= ord(ch) <= 0x7E)
    return text[: KEYWORD_LIMITS["character_string"]] or "-"


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day, tzinfo=CHINA_TZ)
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError as error:
            raise FieldError(f"not a time: {value!r}") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # stored times are UTC (DESIGN §5)
    return moment.astimezone(CHINA_TZ)


def fit_time(value: Any) -> str:
    """``time``: ``YYYY-MM-DD HH:MM`` in China time."""
    return china_text(_as_datetime(value))


def fit_date(value: Any) -> str:
    """``date``: ``YYYY-MM-DD`` in China time (a plain date stays as it is)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    return _as_datetime(value).strftime("%Y-%m-%d")


def fit_amount(value: Any) -> str:
    """``amount``: yuan with two decimals and 元 (money is fen inside; callers pass yuan)."""
    try:
        amount = Decimal(str(value).replace(",", "").removesuffix("元").strip())
    except InvalidOperation as error:
        raise FieldError(f"not an amount: {value!r}") from error
    return f"{amount.quantize(Decimal('0.01'))}元"


BUILDERS: dict[str, Callable[[Any], str]] = {
    "thing": fit_thing,
    "name": fit_name,
    "phrase": fit_phrase,
    "character_string": fit_character_string,
    "time": fit_time,
    "date": fit_date,
    "amount": fit_amount,
}


# -- the registry ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Keyword:
    key: str  # the template's keyword, e.g. "thing1"
    field: str  # the notice field it shows, e.g. "activity"
    label: str  # its name in the template, e.g. "活动名称"
    default: str = ""  # shown when the field is missing or empty

    @property
    def type(self) -> str:
        return re.sub(r"\d+$", "", self.key)


@dataclass(frozen=True)
class Template:
    kind: str
    title: str
    page: str
    keywords: tuple[Keyword, ...]
    wechat: bool = True  # inbox-only kinds have no WeChat template

    def template_id(self) -> str:
        if not self.wechat:
            return ""
        return (current_app.config.get("WECHAT_TEMPLATE_IDS") or {}).get(self.kind) or ""

    def build(self, fields: Mapping[str, Any]) -> dict[str, str]:
        """The template data, every value fitted to its keyword's rule."""
        data = {}
        for keyword in self.keywords:
            value = fields.get(keyword.field)
            if value in (None, "") and keyword.type in ("time", "date"):
                value = datetime.now(UTC)  # a missing date means the moment of the notice
            elif value in (None, ""):
                value = keyword.default or PLACEHOLDER
            data[keyword.key] = BUILDERS[keyword.type](value)
        return data

    def describe(self, fields: Mapping[str, Any]) -> str:
        """Readable lines for the inbox when the notice has no body of its own."""
        lines = []
        for keyword in self.keywords:
            value = fields.get(keyword.field)
            if value in (None, ""):
                continue
            if keyword.type in ("time", "date", "amount"):
                try:
                    value = BUILDERS[keyword.type](value)
                except FieldError:
                    pass
            lines.append(f"{keyword.label}:{_clean(value)}")
        return "\n".join(lines)


def _t(kind, title, page, *keywords, wechat=True) -> Template:
    return Template(kind, title, page, tuple(Keyword(*k) for k in keywords), wechat)


TEMPLATES: dict[str, Template] = {
    t.kind: t
    for t in (
        _t(
            "activity_reminder",
            "活动开始提醒",
            "pages/activity/list/index",
            ("thing1", "activity", "活动名称"),
            ("time2", "start_at", "开始时间"),
            ("thing3", "place", "活动地点"),
        ),
        _t(
            "enrollment_result",
            "活动报名结果通知",
            "pages/activity/list/index",
            ("thing1", "activity", "活动名称"),
            ("phrase2", "result", "报名结果"),
            ("time3", "start_at", "开始时间"),
        ),
        _t(
            "waitlist_promotion",
            "候补转正通知",
            "pages/activity/list/index",
            ("thing1", "activity", "活动名称"),
            ("time2", "start_at", "开始时间"),
            ("thing3", "note", "温馨提示", "您已由候补转为正式报名,请准时参加"),
        ),
        _t(
            "activity_cancelled",
            "活动取消通知",
            "pages/activity/list/index",
            ("thing1", "activity", "活动名称"),
            ("time2", "start_at", "原定时间"),
            ("thing3", "reason", "取消原因"),
        ),
        _t(
            "volunteer_review",
            "志愿者审核结果通知",
            "pages/mine/index",
            ("phrase1", "result", "审核结果"),
            ("thing2", "reason", "审核意见", "无"),
            ("character_string3", "number", "志愿者编号", "-"),
        ),
        _t(
            "service_request_update",
            "服务请求进度通知",
            "pages/home/index",
            ("thing1", "title", "请求事项"),
            ("phrase2", "status", "当前状态"),
            ("time3", "updated_at", "更新时间"),
            ("thing4", "note", "处理说明", "无"),
        ),
        _t(
            "escalation_alert",
            "事项上报提醒",
            "pages/home/index",
            ("thing1", "title", "上报事项"),
            ("phrase2", "tier", "上报层级"),
            ("thing3", "reason", "上报原因"),
            ("time4", "deadline", "处理时限"),
        ),
        _t(
            "award_result",
            "表彰审批结果通知",
            "pages/mine/index",
            ("thing1", "award", "表彰名称"),
            ("phrase2", "result", "审批结果"),
            ("date3", "date", "审批日期"),
        ),
        _t(
            "expense_review",
            "支出审批结果通知",
            "pages/home/index",
            ("thing1", "fund", "经费名称"),
            ("amount2", "amount_yuan", "支出金额"),
            ("phrase3", "result", "审批结果"),
            ("thing4", "note", "审批意见", "无"),
        ),
        _t(
            "bulletin_published",
            "通报发布提醒",
            "pages/home/index",
            ("thing1", "title", "通报标题"),
            ("thing2", "period", "通报周期"),
            ("time3", "published_at", "发布时间"),
        ),
        # Inbox only: WeChat has no template for these; they never touch WeChat.
        _t(
            "hours_recorded",
            "服务时长已记录",
            "pages/mine/index",
            ("thing1", "activity", "活动名称"),
            ("thing2", "hours", "服务时长"),
            ("thing3", "points", "获得积分"),
            wechat=False,
        ),
        _t(
            "level_up",
            "星级提升",
            "pages/mine/index",
            ("thing1", "level", "当前星级"),
            ("thing2", "hours", "累计时长"),
            wechat=False,
        ),
        _t(
            "activity_changed",
            "活动时间地点变更",
            "pages/activity/detail/index",
            ("thing1", "activity", "活动名称"),
            ("time2", "start_at", "开始时间"),
            ("thing3", "place", "活动地点"),
            wechat=False,
        ),
        _t(
            "ledger_alert",
            "台账核对提醒",
            "pages/home/index",
            ("thing1", "summary", "摘要"),
            wechat=False,
        ),
    )
}

WECHAT_KINDS = tuple(kind for kind, t in TEMPLATES.items() if t.wechat)


def template_for(kind: str) -> Template:
    try:
        return TEMPLATES[kind]
    except KeyError:
        raise ValueError(f"unknown notice kind {kind!r}") from None


def kind_of_template_id(template_id: str) -> str | None:
    """The kind configured with ``template_id``, or None."""
    for kind in WECHAT_KINDS:
        if TEMPLATES[kind].template_id() == template_id:
            return kind
    return None


def published_templates() -> list[dict[str, str]]:
    """``[{kind, template_id, title}]`` of every configured WeChat template."""
    return [
        {"kind": kind, "template_id": TEMPLATES[kind].template_id(), "title": TEMPLATES[kind].title}
        for kind in WECHAT_KINDS
        if TEMPLATES[kind].template_id()
    ]
