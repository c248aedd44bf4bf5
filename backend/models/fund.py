"""Alliance funds, their append-only ledger and the expense workflow that feeds it.

Money is integer fen. A ``FundEntry`` is never updated or deleted: a correction is a reversing
entry. The totals on ``Fund`` are moved in the same transaction as each entry, with arithmetic in
SQL, and ``flask ledger check`` proves they still equal the sums of the entries.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.models.base import BigIntPK, Model, table_args
from backend.models.region import Region
from backend.models.types import UTCDateTime
from backend.models.user import User

FUND_STATUSES = ("open", "closed")
FUND_STATUS_NAMES = {"open": "募集中", "closed": "已关闭"}

ENTRY_KINDS = ("donation", "expense", "reversal")
ENTRY_KIND_NAMES = {"donation": "捐赠", "expense": "支出", "reversal": "冲正"}
# Which fund total an entry moves: cash income, in-kind valuation, or paid expenses.
BUCKETS = ("income", "in_kind", "expense")

DONOR_TYPES = ("person", "company", "organisation")
DONOR_TYPE_NAMES = {"person": "个人", "company": "企业", "organisation": "组织"}
CHANNELS = ("cash", "bank_transfer", "wechat_transfer", "other")
CHANNEL_NAMES = {
    "cash": "现金",
    "bank_transfer": "银行转账",
    "wechat_transfer": "微信转账",
    "other": "其他",
}
EXPENSE_CATEGORIES = (
    "equipment",
    "insurance",
    "meals",
    "transport",
    "publicity",
    "training",
    "other",
)
EXPENSE_CATEGORY_NAMES = {
    "equipment": "装备物资",
    "insurance": "保险",
    "meals": "志愿者餐补",
    "transport": "交通",
    "publicity": "宣传",
    "training": "培训",
    "other": "其他",
}
EXPENSE_STATUSES = ("draft", "pending", "approved", "paid", "rejected", "cancelled")
EXPENSE_STATUS_NAMES = {
    "draft": "草稿",
    "pending": "待审批",
    "approved": "已批准",
    "paid": "已支付",
    "rejected": "已驳回",
    "cancelled": "已撤销",
}

# Wide enough for any sum of entries (each at most 10^10 fen).
Money = BigInteger().with_variant(Integer(), "sqlite")


class Fund(Model):
    """One alliance fund per region (village, township or city)."""

    __tablename__ = "fund"
    __table_args__ = table_args(UniqueConstraint("region_id"))

    region_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"))
    name: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(Text, default="")
    target_fen: Mapped[int | None] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    # Kept in step with the entries (UPDATE … SET x = x + :delta in the entry's transaction).
    income_fen: Mapped[int] = mapped_column(Money, default=0)
    in_kind_fen: Mapped[int] = mapped_column(Money, default=0)
    expense_fen: Mapped[int] = mapped_column(Money, default=0)
    balance_fen: Mapped[int] = mapped_column(Money, default=0)
    entry_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("app_user.id"))

    region: Mapped[Region] = relationship(lazy="joined")


class Expense(Model):
    """A request to spend: draft → pending → approved → paid, or rejected / cancelled.

    Only payment appends a ledger entry, so nothing else here touches the fund's balance.
    """

    __tablename__ = "expense"
    __table_args__ = table_args(Index("ix_expense_fund_status", "fund_id", "status"))

    fund_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("fund.id"))
    # The fund's region, copied so that scope filters need no join.
    region_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(Money)
    category: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(200))
    payee: Mapped[str] = mapped_column(String(100))
    payee_type: Mapped[str] = mapped_column(String(16), default="company")
    note: Mapped[str] = mapped_column(String(500), default="")
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    # Above the city-approval threshold when submitted: only a city admin may approve.
    needs_city_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_by_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("app_user.id"), index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str] = mapped_column(String(500), default="")
    paid_by_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("app_user.id"))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    payment_reference: Mapped[str] = mapped_column(String(100), default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    fund: Mapped[Fund] = relationship(lazy="joined")
    # Loaded on demand (the expense lists ask for them); ledger pages never need them.
    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class FundEntry(Model):
    """One row of the public ledger: a donation, a paid expense or a reversal. Never changed."""

    __tablename__ = "fund_entry"
    __table_args__ = table_args(
        # A receipt is recorded once per fund; an expense is paid once; an entry reversed once.
        UniqueConstraint("fund_id", "receipt_no"),
        UniqueConstraint("expense_id"),
        UniqueConstraint("reverses_id"),
        Index("ix_fund_entry_fund_created", "fund_id", "created_at"),
    )

    fund_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("fund.id"))
    kind: Mapped[str] = mapped_column(String(16))
    bucket: Mapped[str] = mapped_column(String(16))
    # Always positive; ``sign`` is -1 for a reversal, so a bucket's total is Σ sign × amount.
    amount_fen: Mapped[int] = mapped_column(Money)
    sign: Mapped[int] = mapped_column(Integer, default=1)
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("app_user.id"))

    # Donations
    donor_type: Mapped[str | None] = mapped_column(String(16))
    # A person's full name is encrypted at rest; ``donor_display`` is what the public sees.
    donor_name_enc: Mapped[str | None] = mapped_column(Text)
    donor_display: Mapped[str | None] = mapped_column(String(100))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    channel: Mapped[str | None] = mapped_column(String(16))
    receipt_no: Mapped[str | None] = mapped_column(String(64))
    donated_on: Mapped[date | None] = mapped_column(Date)
    in_kind: Mapped[bool] = mapped_column(Boolean, default=False)
    item_description: Mapped[str | None] = mapped_column(String(200))

    # Paid expenses
    expense_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("expense.id"))

    # Reversals
    reverses_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("fund_entry.id"))

    fund: Mapped[Fund] = relationship(lazy="joined")
    expense: Mapped[Expense | None] = relationship(lazy="joined")
    reversed_by: Mapped[FundEntry | None] = relationship(
        primaryjoin="FundEntry.id == remote(foreign(FundEntry.reverses_id))",
        uselist=False,
        viewonly=True,
    )

    @property
    def signed_amount_fen(self) -> int:
        """Effect on the cash balance (in-kind gifts do not move cash)."""
        if self.bucket == "income":
            return self.sign * self.amount_fen
        if self.bucket == "expense":
            return -self.sign * self.amount_fen
        return 0
