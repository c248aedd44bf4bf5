"""The city → township → village → grid tree."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.models.base import BigIntPK, Model, table_args

LEVELS = ("city", "township", "village", "grid")
LEVEL_NAMES = {"city": "市", "township": "乡镇(街道)", "village": "村(社区)", "grid": "网格"}


class Region(Model):
    __tablename__ = "region"
    __table_args__ = table_args()

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16), index=True)
    parent_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("region.id"), index=True)
    # Materialised path of ids, "/1/4/9/": a region covers every region whose path starts with
    # its own, so scope checks are one indexed LIKE instead of a recursive walk.
    path: Mapped[str] = mapped_column(String(255), index=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    parent: Mapped[Region | None] = relationship(remote_side="Region.id", lazy="joined")

    @property
    def depth(self) -> int:
        return LEVELS.index(self.level)

    def covers(self, other: Region) -> bool:
        return other.path.startswith(self.path)

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]
