"""Alliance funds and their append-only public ledger (经费筹措).

Every change of money is one ``FundEntry`` plus one ``UPDATE fund SET x = x + :delta`` in the
same transaction. The UPDATE comes first: it takes the fund row's lock before the entry's
foreign-key check would take a shared one (two shared locks upgrading to exclusive is the classic
InnoDB deadlock), and its ``WHERE balance_fen >= :amount`` guard refuses to spend money that is
not there. Nothing here updates or deletes an entry; a correction is a reversing entry.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import Select

from backend.errors import Conflict, ContentUnderReview, NotFound, ValidationFailed
from backend.extensions import db
from backend.models import Fund, FundEntry, User
from backend.models.fund import (
    CHANNEL_NAMES,
    DONOR_TYPE_NAMES,
    ENTRY_KIND_NAMES,
    EXPENSE_CATEGORY_NAMES,
    Expense,
)
from backend.permissions import (
    FUND_MANAGE,
    FUND_OPEN,
    can,
    get_scoped,
    region_filter,
    require,
    require_any,
    scoped,
)
from backend.privacy import decrypt, encrypt, mask_name
from backend.services import audit, content
from backend.services.regions import get_region
from backend.services.sheets import EXPORT_MAX_ROWS, Column, Sheet
from backend.utils import CHINA_TZ, china_today, yuan

# One entry is at most 10^10 fen (1 亿元): anything larger is a typing error, not a gift.
MAX_FEN = 10**10

ANONYMOUS = "匿名"


class FundExists(Conflict):
    code, message = "fund_exists", "该区域已设立联盟基金"


class FundClosed(Conflict):
    code, message = "fund_closed", "该基金已关闭,不能再记账"


class InsufficientBalance(Conflict):
    code, message = "insufficient_balance", "基金余额不足"


class DuplicateReceipt(Conflict):
    code, message = "duplicate_receipt", "该收据号已在本基金登记"


class AlreadyReversed(Conflict):
    code, message = "already_reversed", "该笔记录已冲正,不能重复冲正"


class ReversalNotReversible(Conflict):
    code, message = "reversal_not_reversible", "冲正记录不能再被冲正"


def require_checked(user: User | None, field_texts: dict[str, str | None]) -> None:
    """Public ledger text goes through content security; ``review`` is refused, not published."""
    if content.check_text(user, *field_texts.values()) != "pass":
        raise ContentUnderReview(
            errors={name: ["内容需人工审核"] for name, v in field_texts.items() if v}
        )


# ---------------------------------------------------------------------------------------------
# Funds
# ---------------------------------------------------------------------------------------------


def get_fund(fund_id: int) -> Fund:
    """A fund by id (funds are public)."""
    fund = db.session.get(Fund, fund_id)
    if fund is None:
        raise NotFound("基金不存在", code="fund_not_found")
    return fund


def get_managed_fund(user: User, fund_id: int, permission: str = FUND_MANAGE) -> Fund:
    """403 for callers who manage no fund anywhere; 404 for a fund outside their scope."""
    require_any(user, permission)
    try:
        return get_scoped(Fund, fund_id, user, permission, Fund.region_id)
    except NotFound:
        raise NotFound("基金不存在", code="fund_not_found") from None


def manages(user: User | None, fund: Fund) -> bool:
    """Whether ``user`` administers ``fund`` (sees donor names, receipts, attachments)."""
    return can(user, FUND_MANAGE, fund.region)


def list_query(region_id: int | None = None, status: str | None = None, q: str | None = None):
    """Public list of funds; ``region_id`` keeps that region and everything below it."""
    query = select(Fund)
    if region_id is not None:
        region = get_region(region_id)
        query = query.where(region_filter([region.path], Fund.region_id))
    if status:
        query = query.where(Fund.status == status)
    if q:
        query = query.where(Fund.name.contains(q))
    return query.order_by(Fund.id)


def open_fund(user: User, data: dict) -> Fund:
    """Open the alliance fund of a region (township admin or above, over that region)."""
    require_any(user, FUND_OPEN)
    region = get_region(data["region_id"])
    if region.level == "grid":
        raise ValidationFailed(errors={"region_id": ["基金须设立在村(社区)、乡镇(街道)或市级"]})
    require(user, FUND_OPEN, region)
    require_checked(user, {"name": data["name"], "purpose": data.get("purpose")})
    fund = Fund(
        region_id=region.id,
        name=data["name"],
        purpose=data.get("purpose", ""),
        target_fen=data.get("target_fen"),
        status="open",
        income_fen=0,
        in_kind_fen=0,
        expense_fen=0,
        balance_fen=0,
        entry_count=0,
        created_by_id=user.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(fund)
    except IntegrityError as exc:
        raise FundExists(errors={"region_id": ["该区域已有基金"]}) from exc
    audit.record(
        user,
        "fund.open",
        fund,
        after=audit.snapshot(fund, "name", "purpose", "target_fen", "status"),
    )
    return fund


FUND_EDITABLE = ("name", "purpose", "target_fen")


def update_fund(user: User, fund_id: int, data: dict) -> Fund:
    """Edit a fund's name, purpose or target (never its totals)."""
    fund = get_managed_fund(user, fund_id, FUND_OPEN)
    if not data:
        raise ValidationFailed(errors={"_schema": ["没有需要修改的内容"]})
    texts = {k: data[k] for k in ("name", "purpose") if k in data}
    if texts:
        require_checked(user, texts)
    before = audit.snapshot(fund, *FUND_EDITABLE)
    for name in FUND_EDITABLE:
        if name in data:
            setattr(fund, name, data[name] if name != "purpose" else (data[name] or ""))
    audit.record(
        user, "fund.update", fund, before=before, after=audit.snapshot(fund, *FUND_EDITABLE)
    )
    return fund


def set_status(user: User, fund_id: int, status: str, reason: str) -> Fund:
    """Close a fund to new donations and expenses, or reopen it."""
    fund = get_managed_fund(user, fund_id, FUND_OPEN)
    wanted_from = "open" if status == "closed" else "closed"
    result = db.session.execute(
        update(Fund)
        .where(Fund.id == fund.id, Fund.status == wanted_from)
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(
            "基金已关闭" if status == "closed" else "基金未关闭",
            code="invalid_transition",
        )
    db.session.expire(fund)
    audit.record(
        user,
        f"fund.{'close' if status == 'closed' else 'reopen'}",
        fund,
        reason=reason,
        before={"status": wanted_from},
        after={"status": status},
    )
    return fund


def require_open(fund: Fund) -> None:
    if fund.status != "open":
        raise FundClosed()


# ---------------------------------------------------------------------------------------------
# The ledger
# ---------------------------------------------------------------------------------------------


def _move_totals(fund: Fund, bucket: str, delta: int) -> None:
    """Move the fund's totals by ``delta`` fen of ``bucket`` in SQL; cash never goes negative."""
    values: dict[str, Any] = {"entry_count": Fund.entry_count + 1}
    stmt = update(Fund).where(Fund.id == fund.id)
    cash_out = 0
    if bucket == "income":
        values["income_fen"] = Fund.income_fen + delta
        values["balance_fen"] = Fund.balance_fen + delta
        cash_out = -delta
    elif bucket == "expense":
        values["expense_fen"] = Fund.expense_fen + delta
        values["balance_fen"] = Fund.balance_fen - delta
        cash_out = delta
    elif bucket == "in_kind":
        values["in_kind_fen"] = Fund.in_kind_fen + delta
    else:  # pragma: no cover - buckets are fixed
        raise ValueError(bucket)
    if cash_out > 0:
        stmt = stmt.where(Fund.balance_fen >= cash_out)
    result = db.session.execute(stmt.values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise InsufficientBalance(f"基金余额不足,当前余额 {yuan(current_balance(fund.id))} 元")
    db.session.expire(fund)


def lock_fund(fund_id: int) -> None:
    """Take the fund row's exclusive lock for the rest of the transaction (no-op on SQLite)."""
    db.session.execute(select(Fund.id).where(Fund.id == fund_id).with_for_update())


def current_balance(fund_id: int) -> int:
    return db.session.scalar(select(Fund.balance_fen).where(Fund.id == fund_id)) or 0


def append_entry(fund: Fund, entry: FundEntry, duplicate: Conflict) -> FundEntry:
    """Append ``entry`` to ``fund``'s ledger and move its totals in the same transaction.

    Raises ``duplicate`` when a unique key (receipt, expense, reversed entry) is already taken;
    the caller's request then rolls back the totals moved here.
    """
    delta = entry.sign * entry.amount_fen
    _move_totals(fund, entry.bucket, delta)
    entry.fund_id = fund.id
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError as exc:
        raise duplicate from exc
    return entry


def record_donation(user: User, fund_id: int, data: dict) -> FundEntry:
    """Record a cash or in-kind donation in a fund the caller administers."""
    fund = get_managed_fund(user, fund_id)
    require_open(fund)
    donor_type = data.get("donor_type") or "person"
    anonymous = bool(data.get("anonymous"))
    name = (data.get("donor_name") or "").strip()
    errors: dict[str, list[str]] = {}
    if not name and not anonymous:
        errors["donor_name"] = ["请填写捐赠人,或勾选匿名"]
    in_kind = bool(data.get("in_kind"))
    if in_kind and not (data.get("item_description") or "").strip():
        errors["item_description"] = ["实物捐赠请填写物品名称和数量"]
    if not in_kind and not data.get("channel"):
        errors["channel"] = ["请选择捐赠渠道"]
    today = china_today()
    donated_on = data.get("donated_on") or today
    if donated_on > today:
        errors["donated_on"] = ["捐赠日期不能晚于今天"]
    if errors:
        raise ValidationFailed(errors=errors)
    texts = {"note": data.get("note"), "item_description": data.get("item_description")}
    if donor_type != "person":  # organisation names are shown publicly
        texts["donor_name"] = name
    require_checked(user, texts)
    if anonymous:
        display = ANONYMOUS
    elif donor_type == "person":
        display = mask_name(name)
    else:
        display = name
    entry = FundEntry(
        kind="donation",
        bucket="in_kind" if in_kind else "income",
        amount_fen=data["amount_fen"],
        sign=1,
        note=data.get("note") or "",
        recorded_by_id=user.id,
        donor_type=donor_type,
        donor_name_enc=encrypt(name) if name else None,
        donor_display=display,
        anonymous=anonymous,
        channel=data.get("channel") or None,
        receipt_no=(data.get("receipt_no") or "").strip() or None,
        donated_on=donated_on,
        in_kind=in_kind,
        item_description=(data.get("item_description") or "").strip() or None,
    )
    append_entry(fund, entry, DuplicateReceipt(errors={"receipt_no": ["收据号重复"]}))
    audit.record(
        user,
        "fund.donation",
        entry,
        region_id=fund.region_id,
        after={
            "fund_id": fund.id,
            "amount_fen": entry.amount_fen,
            "in_kind": in_kind,
            "donor_display": display,
            "receipt_no": entry.receipt_no,
        },
    )
    return entry


def get_entry(entry_id: int) -> FundEntry:
    """One public ledger entry."""
    entry = db.session.get(FundEntry, entry_id)
    if entry is None:
        raise NotFound("账目不存在", code="entry_not_found")
    return entry


def reverse_entry(user: User, entry_id: int, reason: str) -> FundEntry:
    """Append the reversing entry of a donation or a paid expense (once; never of a reversal)."""
    require_any(user, FUND_MANAGE)
    query = scoped(
        select(FundEntry).join(Fund, FundEntry.fund_id == Fund.id).where(FundEntry.id == entry_id),
        user,
        FUND_MANAGE,
        Fund.region_id,
    )
    original = db.session.scalars(query).first()
    if original is None:
        raise NotFound("账目不存在", code="entry_not_found")
    if original.kind == "reversal":
        raise ReversalNotReversible()
    if original.reversed_by is not None:
        raise AlreadyReversed()
    fund = original.fund
    entry = FundEntry(
        kind="reversal",
        bucket=original.bucket,
        amount_fen=original.amount_fen,
        sign=-1,
        note=reason,
        recorded_by_id=user.id,
        reverses_id=original.id,
        in_kind=original.in_kind,
        # The public sees whose gift was reversed exactly as it saw the gift.
        donor_type=original.donor_type,
        donor_display=original.donor_display,
        anonymous=original.anonymous,
    )
    append_entry(fund, entry, AlreadyReversed())
    audit.record(
        user,
        "fund_entry.reverse",
        original,
        reason=reason,
        region_id=fund.region_id,
        after={"reversal_id": entry.id, "amount_fen": entry.amount_fen, "kind": original.kind},
    )
    return entry


def entries_query(fund: Fund, kind: str | None = None, month: str | None = None) -> Select:
    """The ledger of one fund, newest first."""
    query = (
        select(FundEntry)
        .where(FundEntry.fund_id == fund.id)
        .options(selectinload(FundEntry.reversed_by))
    )
    if kind:
        query = query.where(FundEntry.kind == kind)
    if month:
        start, end = month_bounds(month)
        query = query.where(FundEntry.created_at >= start, FundEntry.created_at < end)
    return query.order_by(FundEntry.id.desc())


ENTRY_BUCKET_NAMES = {"income": "收入", "in_kind": "实物", "expense": "支出"}
ENTRY_COLUMNS = (
    Column("编号", "integer"),
    Column("记账时间", "datetime"),
    Column("类型", "code", ENTRY_KIND_NAMES),
    Column("收支", "code", ENTRY_BUCKET_NAMES),
    Column("金额(元)", "money"),
    Column("余额影响(元)", "money"),
    Column("捐赠人/收款方"),
    Column("捐赠人类型", "code", DONOR_TYPE_NAMES),
    Column("匿名", "flag"),
    Column("渠道", "code", CHANNEL_NAMES),
    Column("收据号"),
    Column("捐赠日期", "date"),
    Column("实物", "flag"),
    Column("支出类别", "code", EXPENSE_CATEGORY_NAMES),
    Column("用途/物品"),
    Column("冲正对象", "integer"),
    Column("备注"),
    Column("经办人"),
)


def entries_sheet(
    user: User, fund_id: int, kind: str | None = None, month: str | None = None
) -> Sheet:
    """The admin export of a fund's ledger: every column, names in full (the caller manages it)."""
    fund = get_managed_fund(user, fund_id)
    entries = list(
        db.session.scalars(entries_query(fund, kind, month).limit(EXPORT_MAX_ROWS)).unique()
    )
    recorder_ids = {e.recorded_by_id for e in entries if e.recorded_by_id}
    names = (
        dict(
            db.session.execute(
                select(User.id, User.nickname).where(User.id.in_(recorder_ids))
            ).all()
        )
        if recorder_ids
        else {}
    )
    rows = []
    for e in entries:
        expense = e.expense
        party = (
            (decrypt(e.donor_name_enc) or e.donor_display)
            if e.kind != "expense"
            else (expense.payee if expense else "")
        )
        rows.append(
            (
                e.id,
                e.created_at,
                e.kind,
                e.bucket,
                e.sign * e.amount_fen,
                e.signed_amount_fen,
                party,
                e.donor_type,
                e.anonymous,
                e.channel,
                e.receipt_no,
                e.donated_on,
                e.in_kind,
                expense.category if expense else None,
                (expense.purpose if expense else e.item_description) or "",
                e.reverses_id,
                e.note,
                names.get(e.recorded_by_id, ""),
            )
        )
    return Sheet(f"{fund.name}-台账", ENTRY_COLUMNS, rows)


# ---------------------------------------------------------------------------------------------
# Monthly statements (公示)
# ---------------------------------------------------------------------------------------------


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """UTC bounds of a China-time calendar month "YYYY-MM"."""
    year, mon = (int(part) for part in month.split("-"))
    start = datetime(year, mon, 1, tzinfo=CHINA_TZ)
    end = start + timedelta(days=calendar.monthrange(year, mon)[1])
    return start, end


def current_month() -> str:
    return china_today().strftime("%Y-%m")


def _bucket_sums(fund_id: int, *conditions) -> dict[str, int]:
    rows = db.session.execute(
        select(FundEntry.bucket, func.sum(FundEntry.sign * FundEntry.amount_fen))
        .where(FundEntry.fund_id == fund_id, *conditions)
        .group_by(FundEntry.bucket)
    ).all()
    sums = {"income": 0, "in_kind": 0, "expense": 0}
    for bucket, total in rows:
        sums[bucket] = int(total or 0)
    return sums


def statement(fund: Fund, month: str | None = None) -> dict:
    """The monthly public statement: opening balance, the month's movements, closing balance."""
    month = month or current_month()
    if month > current_month():
        raise ValidationFailed(errors={"month": ["不能查询未来月份的公示"]})
    start, end = month_bounds(month)
    before = _bucket_sums(fund.id, FundEntry.created_at < start)
    during = _bucket_sums(fund.id, FundEntry.created_at >= start, FundEntry.created_at < end)
    opening = before["income"] - before["expense"]
    entries = list(
        db.session.scalars(
            select(FundEntry)
            .where(
                FundEntry.fund_id == fund.id,
                FundEntry.created_at >= start,
                FundEntry.created_at < end,
            )
            .options(selectinload(FundEntry.reversed_by))
            .order_by(FundEntry.id)
        ).unique()
    )
    # Expense categories of the month, net of reversals (a reversal takes its original's category).
    originals = {e.reverses_id for e in entries if e.kind == "reversal" and e.bucket == "expense"}
    category_of: dict[int, str] = {}
    if originals:
        category_of = dict(
            db.session.execute(
                select(FundEntry.id, Expense.category)
                .join(Expense, FundEntry.expense_id == Expense.id)
                .where(FundEntry.id.in_(originals))
            ).all()
        )
    by_category: dict[str, int] = {}
    counts = {"donation": 0, "expense": 0, "reversal": 0}
    for e in entries:
        counts[e.kind] += 1
        if e.bucket != "expense":
            continue
        category = e.expense.category if e.expense else category_of.get(e.reverses_id or 0, "other")
        by_category[category] = by_category.get(category, 0) + e.sign * e.amount_fen
    closing = opening + during["income"] - during["expense"]
    return {
        "fund_id": fund.id,
        "fund_name": fund.name,
        "region_name": fund.region.name,
        "month": month,
        "period_start": start,
        "period_end": end - timedelta(seconds=1),
        "opening_balance_fen": opening,
        "income_fen": during["income"],
        "in_kind_fen": during["in_kind"],
        "expense_fen": during["expense"],
        "closing_balance_fen": closing,
        "donation_count": counts["donation"],
        "expense_count": counts["expense"],
        "reversal_count": counts["reversal"],
        "expense_by_category": [
            {
                "category": key,
                "category_name": EXPENSE_CATEGORY_NAMES[key],
                "amount_fen": value,
            }
            for key, value in sorted(by_category.items(), key=lambda kv: -kv[1])
        ],
        "entries": entries,
        "months": statement_months(fund),
    }


# ---------------------------------------------------------------------------------------------
# The ledger check (``flask ledger check`` and the nightly job)
# ---------------------------------------------------------------------------------------------


def check_ledgers() -> list[str]:
    """Recompute every fund's totals from its entries; one line per difference found."""
    problems: list[str] = []
    sums = db.session.execute(
        select(
            FundEntry.fund_id,
            func.sum(
                case((FundEntry.bucket == "income", FundEntry.sign * FundEntry.amount_fen), else_=0)
            ),
            func.sum(
                case(
                    (FundEntry.bucket == "in_kind", FundEntry.sign * FundEntry.amount_fen), else_=0
                )
            ),
            func.sum(
                case(
                    (FundEntry.bucket == "expense", FundEntry.sign * FundEntry.amount_fen), else_=0
                )
            ),
            func.count(FundEntry.id),
        ).group_by(FundEntry.fund_id)
    ).all()
    derived = {row[0]: tuple(int(v or 0) for v in row[1:]) for row in sums}
    for fund in db.session.scalars(select(Fund).order_by(Fund.id)):
        income, in_kind, expense, count = derived.get(fund.id, (0, 0, 0, 0))
        label = f"基金 #{fund.id}「{fund.name}」"
        for name, kept, real in (
            ("收入", fund.income_fen, income),
            ("实物", fund.in_kind_fen, in_kind),
            ("支出", fund.expense_fen, expense),
            ("余额", fund.balance_fen, income - expense),
            ("笔数", fund.entry_count, count),
        ):
            if kept != real:
                problems.append(
                    f"{label} {name}: 账面 {kept} ≠ 明细合计 {real} (差额 {kept - real} 分)"
                )
        if fund.balance_fen != fund.income_fen - fund.expense_fen:
            problems.append(
                f"{label} 账面余额 {fund.balance_fen} ≠ 账面收入 {fund.income_fen} − "
                f"账面支出 {fund.expense_fen}"
            )
        if fund.balance_fen < 0:
            problems.append(f"{label} 余额为负: {fund.balance_fen} 分")
    problems.extend(_structural_problems())
    return problems


def _structural_problems() -> list[str]:
    """Rows that break the ledger's rules even when the sums agree."""
    problems: list[str] = []
    original = db.aliased(FundEntry)
    bad_reversals = db.session.execute(
        select(FundEntry.id, original.id)
        .join(original, FundEntry.reverses_id == original.id, isouter=True)
        .where(
            FundEntry.kind == "reversal",
            or_(
                original.id.is_(None),
                original.kind == "reversal",
                original.fund_id != FundEntry.fund_id,
                original.bucket != FundEntry.bucket,
                original.amount_fen != FundEntry.amount_fen,
                FundEntry.sign != -1,
            ),
        )
    ).all()
    for entry_id, original_id in bad_reversals:
        problems.append(f"冲正记录 #{entry_id} 与被冲正记录 #{original_id} 不匹配")
    bad_signs = db.session.scalars(
        select(FundEntry.id).where(
            FundEntry.kind != "reversal", or_(FundEntry.sign != 1, FundEntry.amount_fen <= 0)
        )
    ).all()
    for entry_id in bad_signs:
        problems.append(f"账目 #{entry_id} 的金额或方向无效")
    bad_expenses = db.session.execute(
        select(FundEntry.id, Expense.id)
        .join(Expense, FundEntry.expense_id == Expense.id, isouter=True)
        .where(
            FundEntry.kind == "expense",
            or_(
                Expense.id.is_(None),
                Expense.status != "paid",
                Expense.amount_fen != FundEntry.amount_fen,
                Expense.fund_id != FundEntry.fund_id,
            ),
        )
    ).all()
    for entry_id, expense_id in bad_expenses:
        problems.append(f"支出账目 #{entry_id} 与支出申请 #{expense_id} 不一致")
    unbooked = db.session.scalars(
        select(Expense.id)
        .outerjoin(FundEntry, FundEntry.expense_id == Expense.id)
        .where(Expense.status == "paid", FundEntry.id.is_(None))
    ).all()
    for expense_id in unbooked:
        problems.append(f"支出申请 #{expense_id} 已支付但未入账")
    return problems


def statement_months(fund: Fund) -> list[str]:
    """Months from the fund's opening to now (China time), newest first."""
    opened = fund.created_at.astimezone(CHINA_TZ)
    now = datetime.now(CHINA_TZ)
    months = []
    year, mon = now.year, now.month
    while (year, mon) >= (opened.year, opened.month) and len(months) < 120:
        months.append(f"{year:04d}-{mon:02d}")
        year, mon = (year, mon - 1) if mon > 1 else (year - 1, 12)
    return months
