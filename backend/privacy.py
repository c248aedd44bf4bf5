"""Personal data (PIPL): encryption at rest, blind indexes and masking."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


def _fernet() -> Fernet:
    cached = current_app.extensions.get("fernet")
    if cached is None:
        cached = Fernet(current_app.config["DATA_ENCRYPTION_KEY"].encode())
        current_app.extensions["fernet"] = cached
    return cached


def encrypt(value: str | None) -> str | None:
    """Encrypt a personal field; ``None`` stays ``None``."""
    if value is None:
        return None
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str | None) -> str | None:
    """Decrypt a field written by :func:`encrypt`; an unreadable value reads as ``None``."""
    if not token:
        return None
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def blind_index(value: str) -> str:
    """Keyed hash for equality lookups (duplicate ID numbers) without storing the value."""
    key = current_app.config["DATA_ENCRYPTION_KEY"].encode()
    return hmac.new(key, value.strip().upper().encode(), hashlib.sha256).hexdigest()


def mask_phone(phone: str | None) -> str | None:
    """138****5678."""
    if not phone:
        return phone
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def mask_id_number(id_number: str | None) -> str | None:
    """3209**********1234: region prefix and last four only."""
    if not id_number:
        return id_number
    if len(id_number) < 8:
        return "*" * len(id_number)
    return f"{id_number[:4]}{'*' * (len(id_number) - 8)}{id_number[-4:]}"


def mask_name(name: str | None) -> str:
    """张** (surname kept, the rest masked)."""
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"


def id_number_valid(value: str) -> bool:
    """18-digit resident ID (GB 11643) with a correct check digit and a plausible birth date."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    if value[17].upper() != _check_char(value[:17]):
        return False
    year, month, day = int(value[6:10]), int(value[10:12]), int(value[12:14])
    return 1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31


def id_number_with_check_digit(first17: str) -> str:
    """Complete a 17-digit prefix with its check digit (demo data and tests)."""
    return first17 + _check_char(first17)


def _check_char(first17: str) -> str:
    return ID_CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]
