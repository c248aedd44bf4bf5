"""Database faults on demand: chosen statements (or COMMITs) fail the way MySQL/MariaDB fails them.

``DatabaseFaults(engine).fail(r"^INSERT INTO enrollment", 1213)`` makes the next matching
statement fail with a deadlock. By default the failure is raised before the statement reaches the
database, as SQLAlchemy raises a driver error (an ``OperationalError`` wrapping a pymysql error
with that number), on SQLite and MySQL alike. With ``server_rollback=True`` on MariaDB the fault
is real: the server's transaction is rolled back (as a deadlock victim's is) and the statement is
replaced by a ``SIGNAL`` that fails with that number, so the error travels SQLAlchemy's own path
(``handle_error``, savepoints, invalidation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pymysql
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

MESSAGES = {
    1205: "Lock wait timeout exceeded; try restarting transaction",
    1213: "Deadlock found when trying to get lock; try restarting transaction",
    2003: "Can't connect to MySQL server on '127.0.0.1' ([Errno 111] Connection refused)",
    2006: "MySQL server has gone away",
    2013: "Lost connection to MySQL server during query",
}


@dataclass
class Rule:
    pattern: re.Pattern | None  # None: the COMMIT
    errno: int
    remaining: int
    server_rollback: bool = False
    seen: int = 0


def driver_error(errno: int, statement: str = "", parameters=None) -> OperationalError:
    """The exception SQLAlchemy raises when the MySQL driver reports ``errno``."""
    return OperationalError(
        statement, parameters, pymysql.err.OperationalError(errno, MESSAGES.get(errno, "error"))
    )


class DatabaseFaults:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.rules: list[Rule] = []
        event.listen(engine, "before_cursor_execute", self._before_execute, retval=True)
        event.listen(engine, "commit", self._before_commit)

    def fail(
        self, pattern: str, errno: int, times: int = 1, *, server_rollback: bool = False
    ) -> Rule:
        """The next ``times`` statements matching ``pattern`` (-1: all) fail with ``errno``."""
        rule = Rule(re.compile(pattern, re.IGNORECASE), errno, times, server_rollback)
        self.rules.append(rule)
        return rule

    def fail_commit(self, errno: int, times: int = 1) -> Rule:
        rule = Rule(None, errno, times)
        self.rules.append(rule)
        return rule

    def remove(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before_execute)
        event.remove(self.engine, "commit", self._before_commit)

    def _take(self, rule: Rule) -> bool:
        rule.seen += 1
        if rule.remaining == 0:
            return False
        if rule.remaining > 0:
            rule.remaining -= 1
        return True

    def _before_execute(self, conn, cursor, statement, parameters, context, executemany):
        for rule in self.rules:
            if rule.pattern is None or not rule.pattern.search(statement):
                continue
            if not self._take(rule):
                continue
            if rule.server_rollback and conn.dialect.name == "mysql" and not executemany:
                cursor.execute("ROLLBACK")  # what the server does to a deadlock victim
                signal = (
                    f"SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = {rule.errno}, "
                    f"MESSAGE_TEXT = '{MESSAGES.get(rule.errno, 'error')}'"
                )
                return signal, None
            raise driver_error(rule.errno, statement, parameters)
        return statement, parameters

    def _before_commit(self, conn) -> None:
        for rule in self.rules:
            if rule.pattern is None and self._take(rule):
                raise driver_error(rule.errno, "COMMIT")
