"""Retry the transaction, not the user (DESIGN.md §5, "Transactions and retries").

One request, one job run or one outbox outcome is one unit of work in one transaction. When the
database interrupts that transaction it is run again from the start in a fresh one:

- **conflict** — a deadlock victim (1213), a lock wait that timed out (1205), a Galera write set
  refused at certification (reported as 1213, also at COMMIT), a snapshot conflict (1020), a
  savepoint the server already discarded (1305): retried with full-jitter exponential backoff,
  ``DB_RETRY_ATTEMPTS`` (12) attempts in all (a hot row written through two Galera nodes at once
  needs several; re-runs in one process take turns), then ``503 service_unavailable`` with
  ``Retry-After``;
- **unavailable** — the connection was lost or refused before COMMIT (server restart, failover,
  a stale pooled connection, a Galera node not ready): retried with backoff for up to
  ``DB_UNAVAILABLE_WAIT_SECONDS``, then ``503 service_unavailable`` with ``Retry-After``.

A COMMIT whose answer was lost is never re-run: the outcome is unknown, so the caller gets a 503
and its own retry meets the ``Idempotency-Key`` or the unique constraint that makes it one effect.

Re-running is safe because a unit of work changes nothing outside its transaction: services never
commit, and external calls are not repeated (the WeChat gateway answers a retried attempt from
the results of the first, see ``backend/wechat/gateway.py``). After a conflict the connection is
dropped rather than returned to the pool, so nothing is ever issued on a transaction the server
already rolled back (that was the ``SAVEPOINT … does not exist`` 500). Because a stale pooled
connection is just another "unavailable" retry, the pool does not need ``pool_pre_ping``.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal, TypeVar

from flask import Flask, Response, current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine

from backend.errors import envelope
from backend.extensions import db

log = logging.getLogger(__name__)

T = TypeVar("T")
Kind = Literal["conflict", "unavailable"]
CONFLICT: Kind = "conflict"
UNAVAILABLE: Kind = "unavailable"

# MySQL/MariaDB error numbers after which the whole transaction is run again.
CONFLICT_ERRORS = {
    1205: "lock wait timeout",
    1213: "deadlock or Galera certification conflict",
    1020: "record changed since last read",
    1305: "savepoint no longer exists (transaction already rolled back)",
    1412: "table definition changed",
}
UNAVAILABLE_ERRORS = {
    1040: "too many connections",
    1047: "Galera node not ready (WSREP)",
    1053: "server shutting down",
    1927: "connection killed",
    2002: "cannot connect (socket)",
    2003: "cannot connect",
    2006: "server has gone away",
    2013: "lost connection during query",
    2055: "lost connection",
    4031: "disconnected by the server",
}
# SQLAlchemy's code for "Can't reconnect until invalid transaction is rolled back": a statement
# issued after the connection was dropped mid-transaction (by a disconnect or by a conflict).
_INVALID_TRANSACTION_CODE = "8s2b"
_G_ATTEMPT = "_transaction_attempt"


class TransactionInterrupted(Exception):
    """The database interrupted a unit of work; ``retryable`` says whether it may run again."""

    def __init__(self, kind: Kind, error: BaseException, *, retryable: bool = True) -> None:
        self.kind = kind
        self.error = error
        self.retryable = retryable
        super().__init__(f"{kind}: {describe(error)}")


# ---------------------------------------------------------------------------------------------
# Classification
# ---------------------------------------------------------------------------------------------


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen and len(seen) < 10:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def error_number(error: BaseException) -> int | None:
    """The MySQL error number of a DBAPI error (or of the one a SQLAlchemy error wraps)."""
    orig = getattr(error, "orig", None) or error
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int):
        return args[0]
    return None


def _kind_of(error: BaseException) -> Kind | None:
    number = error_number(error)
    if number in CONFLICT_ERRORS:
        return CONFLICT
    if number in UNAVAILABLE_ERRORS:
        return UNAVAILABLE
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return UNAVAILABLE  # SQLAlchemy recognised a disconnect ("(0, '')" and friends)
    if isinstance(error, sa_exc.PendingRollbackError) and error.code == _INVALID_TRANSACTION_CODE:
        return UNAVAILABLE
    if isinstance(error, sa_exc.DisconnectionError | sa_exc.TimeoutError):
        return UNAVAILABLE  # pool could not give a live connection in time
    return None


def classify(error: BaseException) -> Kind | None:
    """``"conflict"``, ``"unavailable"`` or ``None`` for an error (its causes are looked at too)."""
    if isinstance(error, TransactionInterrupted):
        return error.kind
    for link in _chain(error):
        kind = _kind_of(link)
        if kind is not None:
            return kind
    return None


def describe(error: BaseException) -> str:
    for link in _chain(error):
        number = error_number(link)
        if number is not None:
            reason = CONFLICT_ERRORS.get(number) or UNAVAILABLE_ERRORS.get(number) or "error"
            return f"{number} {reason}"
    return type(error).__name__


# ---------------------------------------------------------------------------------------------
# Policy
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long a unit of work is run again (from the app's config)."""

    attempts: int = 12
    unavailable_wait: float = 3.0
    base_delay: float = 0.02
    max_delay: float = 1.0
    retry_after: int = 3

    @classmethod
    def from_config(cls, config) -> RetryPolicy:
        return cls(
            attempts=max(1, int(config.get("DB_RETRY_ATTEMPTS", 12))),
            unavailable_wait=float(config.get("DB_UNAVAILABLE_WAIT_SECONDS", 3.0)),
            base_delay=float(config.get("DB_RETRY_BASE_DELAY_SECONDS", 0.02)),
            max_delay=float(config.get("DB_RETRY_MAX_DELAY_SECONDS", 1.0)),
            retry_after=int(config.get("DB_RETRY_AFTER_SECONDS", 3)),
        )

    def delay(self, kind: Kind, failures: int, elapsed: float) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` to give up.

        ``failures`` counts the attempts that failed so far (1 after the first). Conflicts wait
        "full jitter" (uniform up to the exponential step) so that the two parties of a deadlock
        do not meet again; an unreachable database is retried at once (a stale pooled
        connection only needs a fresh one), then with growing steps until the wait is used up.
        """
        step = min(self.max_delay, self.base_delay * 2 ** min(failures - 1, 30))
        if kind == CONFLICT:
            if failures >= self.attempts:
                return None
            return random.uniform(0, step)
        wait = 0.0 if failures == 1 else random.uniform(step / 2, step)
        if elapsed + wait > self.unavailable_wait:
            return None
        return wait


def policy() -> RetryPolicy:
    return RetryPolicy.from_config(current_app.config)


# ---------------------------------------------------------------------------------------------
# The session between attempts
# ---------------------------------------------------------------------------------------------


def discard_session() -> None:
    """Roll the session back after an interruption (never raises: the connection may be gone)."""
    try:
        db.session.rollback()
    except Exception as error:  # noqa: BLE001 - a dead connection cannot fail the retry
        log.debug("rollback after an interrupted transaction failed: %s", describe(error))
        try:
            db.session.close()
        except Exception:  # noqa: BLE001
            pass


def commit() -> None:
    """Commit the session, saying whether a failure may be retried.

    Pending changes are flushed first: a flush that fails never reached COMMIT and may be retried
    whatever the reason. A COMMIT refused by a conflict (a Galera certification failure) was not
    applied and may be retried too; a COMMIT whose connection was lost has an unknown outcome and
    is not re-run.
    """
    try:
        db.session.flush()
    except Exception as error:
        kind = classify(error)
        if kind is None:
            raise
        raise TransactionInterrupted(kind, error) from error
    try:
        db.session.commit()
    except Exception as error:
        kind = classify(error)
        if kind is None:
            raise
        raise TransactionInterrupted(kind, error, retryable=kind == CONFLICT) from error


# After a conflict, re-runs in one process take turns: under contention on a hot row (many
# requests enrolling in one activity through two Galera nodes) every concurrent re-run would
# otherwise collide again. First attempts never wait; a re-run waits at most a few seconds for
# its turn, then runs anyway.
_retry_turn = threading.Semaphore(1)
_holding = threading.local()


@contextmanager
def _turn(needed: bool, timeout: float) -> Iterator[None]:
    if not needed or getattr(_holding, "turn", False):
        yield
        return
    acquired = _retry_turn.acquire(timeout=timeout)
    _holding.turn = acquired
    try:
        yield
    finally:
        if acquired:
            _holding.turn = False
            _retry_turn.release()


def _retry_loop(attempt: Callable[[], T], label: str, on_retry: Callable[[int], None]) -> T:
    """Run ``attempt`` until it succeeds, fails for good, or the policy gives up."""
    rules = policy()
    started = time.monotonic()
    failures = 0
    last_kind: Kind | None = None
    while True:
        try:
            with _turn(last_kind == CONFLICT, timeout=rules.max_delay * 5):
                return attempt()
        except Exception as error:
            interrupted = (
                error if isinstance(error, TransactionInterrupted) else _interruption(error)
            )
            discard_session()
            if interrupted is None:
                raise
            failures += 1
            last_kind = interrupted.kind
            wait = (
                rules.delay(interrupted.kind, failures, time.monotonic() - started)
                if interrupted.retryable
                else None
            )
            if wait is None:
                log.warning("%s: giving up after %d attempt(s): %s", label, failures, interrupted)
                if interrupted is error:
                    raise
                raise interrupted from error
            log.info(
                "%s: attempt %d interrupted (%s); running it again", label, failures, interrupted
            )
            time.sleep(wait)
            on_retry(failures)


def _interruption(error: BaseException) -> TransactionInterrupted | None:
    kind = classify(error)
    return TransactionInterrupted(kind, error) if kind is not None else None


def run_in_transaction(fn: Callable[[], T], *, label: str) -> T:
    """Run ``fn`` and commit the session; run both again when the database interrupts them.

    For jobs and other units of work outside a request (the scheduler runs every job through
    this). ``fn`` must change nothing outside the session before it returns.
    """

    def attempt() -> T:
        result = fn()
        commit()
        return result

    return _retry_loop(attempt, label, lambda _failures: None)


def retry_transaction(fn: Callable[[], T], *, label: str) -> T:
    """Run ``fn``, which owns its transaction (``with db.engine.begin()``), again when interrupted.

    Unlike ``run_in_transaction`` it cannot tell a lost COMMIT from a lost statement, so ``fn``
    must be safe to run again even when its previous attempt did commit (a conditional claim).
    """
    return _retry_loop(fn, label, lambda _failures: None)


# ---------------------------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------------------------


def attempt_number() -> int:
    """0 on a request's first run, 1.. on its re-runs (rate limits count the first run only)."""
    return g.get(_G_ATTEMPT, 0) if has_request_context() else 0


def dispatch_request(app: Flask, dispatch: Callable[[], Response]) -> Response:
    """Run a request's hooks, view and commit (``dispatch``), again when the database interrupts.

    ``dispatch`` is Flask's ``full_dispatch_request``: before-request hooks (authentication),
    the view, error handlers and after-request hooks, the last of which commits
    (``finish_request``). Per-request state in ``g`` is put back as it was before each attempt.
    """
    baseline = dict(vars(g))

    def on_retry(failures: int) -> None:
        vars(g).clear()
        vars(g).update(baseline)
        setattr(g, _G_ATTEMPT, failures)
        for upload in request.files.values():
            if upload.stream.seekable():
                upload.stream.seek(0)

    try:
        return _retry_loop(dispatch, f"{request.method} {request.path}", on_retry)
    except TransactionInterrupted as interrupted:
        return app.finalize_request(unavailable(interrupted), from_error_handler=True)
    finally:
        g.pop(_G_ATTEMPT, None)  # g outlives the request when the app context was pushed first


def raise_interruption(error: BaseException) -> None:
    """Called before Flask's error handlers: an interruption leaves the request to be re-run."""
    kind = classify(error)
    if kind is not None:
        raise TransactionInterrupted(kind, error) from error


def finish_request(response: Response) -> Response:
    """after_request: commit a success, roll back anything else (one commit per request)."""
    if response.status_code < 400:
        commit()
    else:
        discard_session()
    return response


def unavailable(interrupted: TransactionInterrupted) -> Response:
    """``503 service_unavailable`` with ``Retry-After``: the database could not serve this now."""
    rules = policy()
    message = "服务繁忙,请稍后重试" if interrupted.kind == CONFLICT else "服务暂时不可用,请稍后再试"
    response = envelope(503, "service_unavailable", message)
    response.headers["Retry-After"] = str(rules.retry_after)
    return response


# ---------------------------------------------------------------------------------------------
# The engine
# ---------------------------------------------------------------------------------------------


def _drop_interrupted_connection(context) -> None:
    """handle_error: after a conflict the server has rolled the transaction back (or will on
    close); invalidate this one connection so that no ``ROLLBACK TO SAVEPOINT`` or any other
    statement is sent on it, and the retry starts on a fresh connection. The rest of the pool
    is kept."""
    if context.is_disconnect or context.dialect.name != "mysql":
        return
    if error_number(context.original_exception) in CONFLICT_ERRORS and context.connection:
        context.is_disconnect = True
        context.invalidate_pool_on_disconnect = False


def install_engine_hooks() -> None:
    """Listen on every engine (once per process)."""
    if not event.contains(Engine, "handle_error", _drop_interrupted_connection):
        event.listen(Engine, "handle_error", _drop_interrupted_connection)
