"""The description of a download (CSV / XLSX): what a service returns for every export.

A service builds a :class:`Sheet` — a name, typed :class:`Column` s and rows of *raw* values in
column order (money in integer fen, dates as ``date``, times as aware ``datetime``, codes as their
English code). It never formats a cell: ``backend/api/exports.py:send_sheet`` is the one place that
turns a sheet into a file, cell by cell according to the column's kind, so that number formats,
Chinese names of codes, the charset and cell sanitising are decided once for every export.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

# Rows in one download at most (every export: rosters, ledgers, scorecards, requests, outbox).
EXPORT_MAX_ROWS = 20_000

ColumnKind = Literal[
    "text",  # free text (names, notes, addresses): str
    "integer",  # counts, ids, minutes, points: int
    "number",  # measures with decimals (scores, percentages, hours): float
    "money",  # integer fen (shown in yuan)
    "date",  # datetime.date (a China calendar date)
    "datetime",  # aware datetime (shown in China time)
    "code",  # an English code shown by its Chinese name (``Column.names``)
    "flag",  # bool (是 / 否)
]


@dataclass(frozen=True)
class Column:
    """One column: its Chinese title, the kind of its values and, for codes, their names."""

    title: str
    kind: ColumnKind = "text"
    names: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind == "code" and not self.names:
            raise ValueError(f"code column {self.title!r} needs the Chinese names of its codes")


@dataclass
class Sheet:
    """A download: file name (without extension), columns and rows of raw values."""

    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]

    @property
    def titles(self) -> list[str]:
        return [column.title for column in self.columns]
