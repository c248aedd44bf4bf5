"""``Idempotency-Key`` for POSTs that create money, points or awards.

The key row is inserted first, in the request's own transaction. A concurrent duplicate blocks on
the unique index until the first request commits (or rolls back), then replays its answer; a
finished duplicate replays at once. The same key with a different body is a 409.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable

from flask import Response, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from backend.auth import require_user
from backend.errors import IdempotencyConflict, ValidationFailed
from backend.extensions import db
from backend.models import IdempotencyRecord

HEADER = "Idempotency-Key"


def _request_hash() -> str:
    body = request.get_json(silent=True)
    canonical = json.dumps([request.path, body], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(record: IdempotencyRecord, request_hash: str) -> Response:
    if record.request_hash != request_hash:
        raise IdempotencyConflict()
    response = Response(
        record.response_body or "", status=record.status_code, mimetype="application/json"
    )
    response.headers["Idempotent-Replayed"] = "true"
    return response


def idempotent(scope: str, required: bool = False) -> Callable:
    """Decorate a view (outside flask-smorest's decorators) to honour ``Idempotency-Key``."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            key = request.headers.get(HEADER, "").strip()
            if not key:
                if required:
                    raise ValidationFailed(
                        "缺少 Idempotency-Key 请求头", code="idempotency_key_missing"
                    )
                return view(*args, **kwargs)
            if len(key) > 128:
                raise ValidationFailed(errors={HEADER: ["长度不能超过128"]})
            user = require_user()
            request_hash = _request_hash()
            found = _find(user.id, scope, key)
            if found is not None and found.status_code:
                return _replay(found, request_hash)
            record = IdempotencyRecord(
                user_id=user.id, scope=scope, key=key, request_hash=request_hash, status_code=0
            )
            try:
                db.session.add(record)
                db.session.flush()  # waits here while a twin request holds the key
            except IntegrityError:
                db.session.rollback()
                found = _find(user.id, scope, key)
                if found is None or not found.status_code:
                    raise IdempotencyConflict(
                        "相同请求正在处理中,请稍后重试", code="idempotency_in_progress"
                    ) from None
                return _replay(found, request_hash)
            response = view(*args, **kwargs)
            if not isinstance(response, Response):
                from flask import make_response

                response = make_response(response)
            if response.status_code < 400:
                record.status_code = response.status_code
                record.response_body = response.get_data(as_text=True)
            return response

        return wrapper

    return decorator


def _find(user_id: int, scope: str, key: str) -> IdempotencyRecord | None:
    return db.session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id,
            IdempotencyRecord.scope == scope,
            IdempotencyRecord.key == key,
        )
    )
