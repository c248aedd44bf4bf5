"""Where uploaded files live: a small interface with a local-disk implementation.

``storage()`` returns the backend of the current app. ``LocalStorage`` writes under
``UPLOAD_DIR`` (``instance/uploads`` by default); an object store (COS, OSS, S3) can replace it
by implementing the same three methods. URLs are stable: ``/api/v1/uploads/<key>``, so other
features (expense attachments, request photos) may store them.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Protocol

from flask import current_app

from backend.errors import NotFound
from backend.utils import utcnow

URL_PREFIX = "/api/v1/uploads/"
EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "image/gif": "gif",
}
CONTENT_TYPES = {ext: mime for mime, ext in EXTENSIONS.items()}
# yyyymm-<32 hex>.<ext>: random, so a URL cannot be guessed; one path segment, safe on disk.
KEY_PATTERN = re.compile(r"^(\d{6})-[0-9a-f]{32}\.(png|jpg|webp|gif)$")


class Storage(Protocol):
    def save(self, data: bytes, content_type: str) -> str: ...

    def open(self, key: str) -> bytes: ...

    def url(self, key: str) -> str: ...


def new_key(content_type: str) -> str:
    now = utcnow()
    return f"{now:%Y%m}-{secrets.token_hex(16)}.{EXTENSIONS[content_type]}"


def valid_key(key: str) -> bool:
    return bool(KEY_PATTERN.match(key))


def key_from_url(url: str) -> str | None:
    """The key inside one of our upload URLs (absolute or relative), or ``None``."""
    position = url.find(URL_PREFIX)
    if position < 0 or (position > 0 and not url.startswith(("http://", "https://"))):
        return None
    key = url[position + len(URL_PREFIX) :]
    return key if valid_key(key) else None


def content_type_of(key: str) -> str:
    return CONTENT_TYPES[key.rsplit(".", 1)[1]]


class LocalStorage:
    """Files on the local disk under ``root``; fine for one machine or a shared volume."""

    def __init__(self, root: str) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        match = KEY_PATTERN.match(key)
        if match is None:  # never let a key walk out of the root
            raise NotFound("文件不存在", code="upload_not_found")
        return self.root / match.group(1) / key  # one folder per month

    def save(self, data: bytes, content_type: str) -> str:
        key = new_key(content_type)
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(path.suffix + ".part")
        temporary.write_bytes(data)
        os.replace(temporary, path)  # readers never see half a file
        return key

    def open(self, key: str) -> bytes:
        path = self._path(key)
        if not path.is_file():
            raise NotFound("文件不存在", code="upload_not_found")
        return path.read_bytes()

    def url(self, key: str) -> str:
        return URL_PREFIX + key


def storage() -> Storage:
    """The storage backend of the current app (local disk unless replaced)."""
    backend = current_app.extensions.get("upload_storage")
    if backend is None:
        backend = LocalStorage(current_app.config["UPLOAD_DIR"])
        current_app.extensions["upload_storage"] = backend
    return backend
