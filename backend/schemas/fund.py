"""Fund, ledger entry, expense and statement schemas.

Money is integer fen in and out (``*_fen``), with a display string of yuan (``*_yuan``) beside
every amount. Donor names, receipts, payees who are people and attachments are shown in full only
to admins of the fund's region; everyone else sees 张** / 匿名.
"""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates

from backend.auth import current_user
from backend.models.fund import (
    CHANNEL_NAMES,
    CHANNELS,
    DONOR_TYPE_NAMES,
    DONOR_TYPES,
    ENTRY_KIND_NAMES,
    ENTRY_KINDS,
    EXPENSE_CATEGORIES,
    EXPENSE_CATEGORY_NAMES,
    EXPENSE_STATUS_NAMES,
    EXPENSE_STATUSES,
    FUND_STATUS_NAMES,
    FUND_STATUSES,
)
from backend.privacy import decrypt, mask_name
from backend.schemas.common import ChinaDateTime, PageQuery, StrictSchema
from backend.services.funds import MAX_FEN, manages
from backend.utils import yuan

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# Upload URLs as returned by POST /uploads: "/api/v1/uploads/<key>".
UPLOAD_URL_RE = re.compile(r"^/api/v1/uploads/[A-Za-z0-9][A-Za-z0-9._/-]{0,190}$")
AMOUNT_ERROR = f"金额须为 1 至 {MAX_FEN} 之间的整数(单位:分)"


class Fen(fields.Integer):
    """A positive whole number of fen: floats, strings, booleans, zero and negatives are refused."""

    default_error_messages = {
        "invalid": "金额须为整数(单位:分),不能是小数或字符串",
        "too_large": AMOUNT_ERROR,
        "null": "请填写金额(单位:分)",
        "required": "请填写金额(单位:分)",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {"description": "金额(分,正整数)"})
        super().__init__(
            strict=True, validate=validate.Range(min=1, max=MAX_FEN, error=AMOUNT_ERROR), **kwargs
        )


def _month(value: str) -> None:
    if not MONTH_RE.match(value):
        raise ValidationError("月份格式为 YYYY-MM")


# ---------------------------------------------------------------------------------------------
# Funds
# ---------------------------------------------------------------------------------------------


class FundIn(StrictSchema):
    region_id = fields.Integer(required=True, strict=True)
    name = fields.String(required=True, validate=validate.Length(min=2, max=64))
    purpose = fields.String(load_default="", validate=validate.Length(max=2000))
    target_fen = Fen(allow_none=True, load_default=None)


class FundPatchIn(StrictSchema):
    name = fields.String(validate=validate.Length(min=2, max=64))
    purpose = fields.String(validate=validate.Length(max=2000))
    target_fen = Fen(allow_none=True)


class FundQuery(PageQuery):
    region_id = fields.Integer()
    status = fields.String(validate=validate.OneOf(FUND_STATUSES))
    q = fields.String(validate=validate.Length(max=32), metadata={"description": "名称关键词"})


def _progress(fund) -> float | None:
    if not fund.target_fen:
        return None
    raised = fund.income_fen + fund.in_kind_fen
    return round(min(raised * 100 / fund.target_fen, 100.0), 1)


class FundOut(Schema):
    id = fields.Integer()
    region_id = fields.Integer()
    region_name = fields.Function(lambda f: f.region.name)
    region_level = fields.Function(lambda f: f.region.level)
    name = fields.String()
    purpose = fields.String()
    status = fields.String()
    status_name = fields.Function(lambda f: FUND_STATUS_NAMES[f.status])
    target_fen = fields.Integer(allow_none=True)
    target_yuan = fields.Function(lambda f: yuan(f.target_fen))
    income_fen = fields.Integer(metadata={"description": "现金捐赠合计(已扣除冲正)"})
    income_yuan = fields.Function(lambda f: yuan(f.income_fen))
    in_kind_fen = fields.Integer(metadata={"description": "实物捐赠估值合计"})
    in_kind_yuan = fields.Function(lambda f: yuan(f.in_kind_fen))
    raised_fen = fields.Function(
        lambda f: f.income_fen + f.in_kind_fen, metadata={"description": "筹款合计(现金+实物)"}
    )
    raised_yuan = fields.Function(lambda f: yuan(f.income_fen + f.in_kind_fen))
    expense_fen = fields.Integer(metadata={"description": "已支付支出合计"})
    expense_yuan = fields.Function(lambda f: yuan(f.expense_fen))
    balance_fen = fields.Integer(metadata={"description": "现金余额"})
    balance_yuan = fields.Function(lambda f: yuan(f.balance_fen))
    progress_percent = fields.Function(
        _progress, metadata={"description": "筹款进度(%),无目标时为 null"}
    )
    entry_count = fields.Integer()
    can_manage = fields.Function(lambda f: manages(current_user(), f))
    created_at = ChinaDateTime()


class FundStatusIn(StrictSchema):
    reason = fields.String(load_default="", validate=validate.Length(max=500))


# ---------------------------------------------------------------------------------------------
# Ledger entries
# ---------------------------------------------------------------------------------------------


class DonationIn(StrictSchema):
    amount_fen = Fen(required=True)
    donor_name = fields.String(
        load_default="", validate=validate.Length(max=100), metadata={"description": "捐赠人"}
    )
    donor_type = fields.String(load_default="person", validate=validate.OneOf(DONOR_TYPES))
    anonymous = fields.Boolean(load_default=False, metadata={"description": "公示时匿名"})
    channel = fields.String(validate=validate.OneOf(CHANNELS), allow_none=True)
    receipt_no = fields.String(
        load_default="", validate=validate.Length(max=64), metadata={"description": "收据号"}
    )
    donated_on = fields.Date(allow_none=True, metadata={"description": "捐赠日期,默认今天"})
    note = fields.String(load_default="", validate=validate.Length(max=500))
    in_kind = fields.Boolean(load_default=False, metadata={"description": "实物捐赠(金额为估值)"})
    item_description = fields.String(load_default="", validate=validate.Length(max=200))


class EntryQuery(PageQuery):
    kind = fields.String(validate=validate.OneOf(ENTRY_KINDS))
    month = fields.String(validate=_month, metadata={"description": "YYYY-MM(北京时间)"})
    format = fields.String(
        validate=validate.OneOf(["csv", "xlsx"]), metadata={"description": "管理员导出"}
    )


def _admin(entry) -> bool:
    return manages(current_user(), entry.fund)


class EntryOut(Schema):
    id = fields.Integer()
    fund_id = fields.Integer()
    kind = fields.String()
    kind_name = fields.Function(lambda e: ENTRY_KIND_NAMES[e.kind])
    bucket = fields.String(metadata={"description": "income 现金 / in_kind 实物 / expense 支出"})
    amount_fen = fields.Integer(metadata={"description": "金额(正数)"})
    amount_yuan = fields.Function(lambda e: yuan(e.amount_fen))
    signed_amount_fen = fields.Integer(metadata={"description": "对现金余额的影响"})
    signed_amount_yuan = fields.Function(lambda e: yuan(e.signed_amount_fen))
    in_kind = fields.Boolean()
    item_description = fields.String(allow_none=True)
    donor_name = fields.Method("get_donor_name", metadata={"description": "公开时脱敏"})
    donor_type = fields.String(allow_none=True)
    donor_type_name = fields.Function(lambda e: DONOR_TYPE_NAMES.get(e.donor_type or ""))
    anonymous = fields.Boolean()
    channel = fields.String(allow_none=True)
    channel_name = fields.Function(lambda e: CHANNEL_NAMES.get(e.channel or ""))
    receipt_no = fields.Method("get_receipt_no", metadata={"description": "仅管理员可见"})
    donated_on = fields.Date(allow_none=True)
    expense_id = fields.Integer(allow_none=True)
    category = fields.Function(lambda e: e.expense.category if e.expense else None)
    category_name = fields.Function(
        lambda e: EXPENSE_CATEGORY_NAMES[e.expense.category] if e.expense else None
    )
    purpose = fields.Function(lambda e: e.expense.purpose if e.expense else None)
    payee = fields.Method("get_payee")
    attachments = fields.Method("get_attachments", metadata={"description": "仅管理员可见"})
    reverses_id = fields.Integer(allow_none=True)
    reversed_by_id = fields.Function(lambda e: e.reversed_by.id if e.reversed_by else None)
    note = fields.String()
    booked_at = ChinaDateTime(attribute="created_at", metadata={"description": "记账时间"})

    def get_donor_name(self, e) -> str | None:
        if e.kind == "expense":
            return None
        if e.donor_name_enc and _admin(e):
            return decrypt(e.donor_name_enc)
        return e.donor_display

    def get_receipt_no(self, e) -> str | None:
        return e.receipt_no if e.receipt_no and _admin(e) else None

    def get_payee(self, e) -> str | None:
        if e.expense is None:
            return None
        if e.expense.payee_type == "person" and not _admin(e):
            return mask_name(e.expense.payee)
        return e.expense.payee

    def get_attachments(self, e) -> list[str]:
        if e.expense is None or not _admin(e):
            return []
        return list(e.expense.attachments or [])


class StatementQuery(StrictSchema):
    month = fields.String(validate=_month, metadata={"description": "YYYY-MM,默认本月"})


class CategoryTotalOut(Schema):
    category = fields.String()
    category_name = fields.String()
    amount_fen = fields.Integer()
    amount_yuan = fields.Function(lambda c: yuan(c["amount_fen"]))


class StatementOut(Schema):
    fund_id = fields.Integer()
    fund_name = fields.String()
    region_name = fields.String()
    month = fields.String()
    period_start = ChinaDateTime()
    period_end = ChinaDateTime()
    opening_balance_fen = fields.Integer()
    opening_balance_yuan = fields.Function(lambda s: yuan(s["opening_balance_fen"]))
    income_fen = fields.Integer()
    income_yuan = fields.Function(lambda s: yuan(s["income_fen"]))
    in_kind_fen = fields.Integer()
    in_kind_yuan = fields.Function(lambda s: yuan(s["in_kind_fen"]))
    expense_fen = fields.Integer()
    expense_yuan = fields.Function(lambda s: yuan(s["expense_fen"]))
    closing_balance_fen = fields.Integer()
    closing_balance_yuan = fields.Function(lambda s: yuan(s["closing_balance_fen"]))
    donation_count = fields.Integer()
    expense_count = fields.Integer()
    reversal_count = fields.Integer()
    expense_by_category = fields.List(fields.Nested(CategoryTotalOut))
    entries = fields.List(fields.Nested(EntryOut))
    months = fields.List(fields.String(), metadata={"description": "可查询的月份"})


class ReverseIn(StrictSchema):
    reason = fields.String(
        required=True,
        validate=validate.Length(min=2, max=500),
        metadata={"description": "冲正原因"},
    )


# ---------------------------------------------------------------------------------------------
# Expenses
# ---------------------------------------------------------------------------------------------


class ExpenseIn(StrictSchema):
    amount_fen = Fen(required=True)
    category = fields.String(required=True, validate=validate.OneOf(EXPENSE_CATEGORIES))
    purpose = fields.String(required=True, validate=validate.Length(min=2, max=200))
    payee = fields.String(required=True, validate=validate.Length(min=2, max=100))
    payee_type = fields.String(load_default="company", validate=validate.OneOf(DONOR_TYPES))
    note = fields.String(load_default="", validate=validate.Length(max=500))
    attachments = fields.List(
        fields.String(), load_default=list, validate=validate.Length(max=9, error="最多上传9张")
    )
    draft = fields.Boolean(load_default=False, metadata={"description": "保存为草稿,暂不提交"})

    @validates("attachments")
    def _attachments(self, value: list[str], **kwargs) -> None:
        for url in value:
            if not UPLOAD_URL_RE.match(url) or ".." in url:
                raise ValidationError("附件须为上传接口返回的地址(/api/v1/uploads/…)")


class ExpenseQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(EXPENSE_STATUSES))
    fund_id = fields.Integer()
    region_id = fields.Integer()
    mine = fields.Boolean(load_default=False, metadata={"description": "只看我提交的"})
    actionable = fields.Boolean(
        load_default=False, metadata={"description": "我的待办:可审批或待支付"}
    )


class ExpenseDecisionIn(StrictSchema):
    note = fields.String(load_default="", validate=validate.Length(max=500))


class ExpenseRejectIn(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=2, max=500))


class ExpensePayIn(StrictSchema):
    reference = fields.String(
        load_default="", validate=validate.Length(max=100), metadata={"description": "付款凭证号"}
    )
    note = fields.String(load_default="", validate=validate.Length(max=500))


class ExpenseCancelIn(StrictSchema):
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class ExpenseOut(Schema):
    """Admins only (the expense workflow is not public; paid ones appear in the ledger)."""

    id = fields.Integer()
    fund_id = fields.Integer()
    fund_name = fields.Function(lambda x: x.fund.name)
    region_id = fields.Integer()
    region_name = fields.Function(lambda x: x.fund.region.name)
    amount_fen = fields.Integer()
    amount_yuan = fields.Function(lambda x: yuan(x.amount_fen))
    category = fields.String()
    category_name = fields.Function(lambda x: EXPENSE_CATEGORY_NAMES[x.category])
    purpose = fields.String()
    payee = fields.String()
    payee_type = fields.String()
    note = fields.String()
    attachments = fields.List(fields.String())
    status = fields.String()
    status_name = fields.Function(lambda x: EXPENSE_STATUS_NAMES[x.status])
    needs_city_approval = fields.Function(lambda x: _needs_city(x))
    submitted_by_id = fields.Integer()
    submitted_by_name = fields.Function(lambda x: x.submitted_by.nickname)
    submitted_at = ChinaDateTime(allow_none=True)
    decided_by_id = fields.Integer(allow_none=True)
    decided_by_name = fields.Function(lambda x: x.decided_by.nickname if x.decided_by else None)
    decided_at = ChinaDateTime(allow_none=True)
    decision_note = fields.String()
    paid_at = ChinaDateTime(allow_none=True)
    payment_reference = fields.String()
    cancelled_at = ChinaDateTime(allow_none=True)
    actions = fields.Function(
        lambda x: _actions(x), metadata={"description": "当前用户可执行的操作"}
    )
    created_at = ChinaDateTime()


def _needs_city(expense) -> bool:
    from backend.services.expenses import needs_city

    return needs_city(expense)


def _actions(expense) -> list[str]:
    from backend.services.expenses import allowed_actions

    return allowed_actions(current_user(), expense)
