"""Configuration from the environment: development, testing and production.

Development and testing have safe defaults (SQLite under instance/, the WeChat sandbox, in-memory
caches). Production refuses to start when a secret is missing or left at its development value.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))

DEV_SECRET_KEY = "dev-secret-key-not-for-production"
# A Fernet key (urlsafe base64 of 32 bytes) used only in development and tests.
DEV_DATA_ENCRYPTION_KEY = "ZGV2LWRhdGEta2V5LW5vdC1mb3ItcHJvZHVjdGlvbiE="
DEV_WECHAT_APPID = "wx-sandbox-appid"
DEV_WECHAT_SECRET = "sandbox-secret"


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    return int(value) if value is not None else default


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# (accept minutes, resolve minutes) per "category:urgency" (服务请求受理、办结时限).
DEFAULT_SERVICE_REQUEST_DEADLINES: dict[str, tuple[int, int]] = {
    "help:normal": (60, 24 * 60),
    "help:urgent": (15, 4 * 60),
    "hazard:normal": (60, 24 * 60),
    "hazard:urgent": (15, 4 * 60),
    "dispute:normal": (120, 3 * 24 * 60),
    "dispute:urgent": (30, 24 * 60),
    "tip_off:normal": (120, 2 * 24 * 60),
    "tip_off:urgent": (30, 12 * 60),
    "suggestion:normal": (24 * 60, 7 * 24 * 60),
    "suggestion:urgent": (12 * 60, 3 * 24 * 60),
    "other:normal": (240, 3 * 24 * 60),
    "other:urgent": (60, 24 * 60),
}


def _deadlines(raw: str | None) -> dict[str, tuple[int, int]]:
    """The default deadlines, with entries from a JSON object replacing them."""
    table = dict(DEFAULT_SERVICE_REQUEST_DEADLINES)
    if raw:
        for key, value in json.loads(raw).items():
            if key not in table:
                raise RuntimeError(f"SERVICE_REQUEST_DEADLINES: unknown key {key!r}")
            accept, resolve = (int(v) for v in value)
            if accept <= 0 or resolve < accept:
                raise RuntimeError(f"SERVICE_REQUEST_DEADLINES: bad minutes for {key!r}")
            table[key] = (accept, resolve)
    return table


# Subscribe-message template ids: one per notice kind, configured per deployment.
TEMPLATE_KINDS = (
    "activity_reminder",
    "enrollment_result",
    "waitlist_promotion",
    "activity_cancelled",
    "volunteer_review",
    "service_request_update",
    "escalation_alert",
    "award_result",
    "expense_review",
    "bulletin_published",
)


class Config:
    """Settings shared by every environment; values come from the environment."""

    ENV_NAME = "base"
    VERSION = "0.1.0"
    SECRET_KEY = _env("SECRET_KEY", DEV_SECRET_KEY)
    DATA_ENCRYPTION_KEY = _env("DATA_ENCRYPTION_KEY", DEV_DATA_ENCRYPTION_KEY)
    SQLALCHEMY_DATABASE_URI = _env(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'safe_alliance.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    REDIS_URL = _env("REDIS_URL")

    # Tokens
    TOKEN_TTL_SECONDS = _env_int("TOKEN_TTL_SECONDS", 7 * 24 * 3600)
    TOKEN_ISSUER = "safe-alliance"

    # Faults: a transaction the database interrupts (deadlock, lock wait timeout, Galera
    # certification conflict, connection lost before COMMIT) is run again from the start —
    # conflicts up to DB_RETRY_ATTEMPTS attempts in all, an unreachable database for up to
    # DB_UNAVAILABLE_WAIT_SECONDS — then answered 503 with Retry-After: DB_RETRY_AFTER_SECONDS.
    DB_RETRY_ATTEMPTS = _env_int("DB_RETRY_ATTEMPTS", 12)
    # Conflict backoff: "full jitter", uniform up to BASE * 2^n seconds, capped at MAX.
    DB_RETRY_BASE_DELAY_SECONDS = float(_env("DB_RETRY_BASE_DELAY_SECONDS", "0.02"))
    DB_RETRY_MAX_DELAY_SECONDS = float(_env("DB_RETRY_MAX_DELAY_SECONDS", "1.0"))
    DB_UNAVAILABLE_WAIT_SECONDS = float(_env("DB_UNAVAILABLE_WAIT_SECONDS", "3"))
    DB_RETRY_AFTER_SECONDS = _env_int("DB_RETRY_AFTER_SECONDS", 3)
    DB_CONNECT_TIMEOUT_SECONDS = _env_int("DB_CONNECT_TIMEOUT_SECONDS", 3)
    # A ping before each pooled connection is used (a round trip per request). The retry makes
    # it unnecessary (make faults runs the database restarts without it).
    DB_POOL_PRE_PING = _env_bool("DB_POOL_PRE_PING", True)
    # Redis (optional): short timeouts, and while it is unreachable per-process fallbacks
    # (rate-limit counters, WeChat token), Redis tried again every REDIS_RECHECK_SECONDS.
    REDIS_SOCKET_TIMEOUT_SECONDS = float(_env("REDIS_SOCKET_TIMEOUT_SECONDS", "0.5"))
    REDIS_RECHECK_SECONDS = float(_env("REDIS_RECHECK_SECONDS", "10"))

    # Rate limits (flask-limiter syntax)
    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    LOGIN_RATE_LIMIT = _env("LOGIN_RATE_LIMIT", "20 per minute")
    RATELIMIT_HEADERS_ENABLED = True
    # Redis when REDIS_URL is set (create_app), so every worker shares the counters.
    RATELIMIT_STORAGE_URI = "memory://"
    # Redis unreachable: count in this process's memory (a warning is logged when it switches).
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Threads that met the storage error while another one was switching to the fallback
    # would re-raise it (a 500): let them through instead (logged). Never a 500 for a limit.
    RATELIMIT_SWALLOW_ERRORS = True

    # API / OpenAPI (flask-smorest)
    API_TITLE = "平安大联盟 Safe Alliance API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    # Served by the app itself (swagger-ui-bundle), so the docs page works offline.
    OPENAPI_SWAGGER_UI_URL = _env("OPENAPI_SWAGGER_UI_URL", "/docs-assets/")
    OPENAPI_REDOC_PATH = "redoc"
    API_SPEC_OPTIONS = {
        "info": {
            "description": "平安大联盟小程序后端:活动开展、服务响应、经费筹措、绩效考核、表彰激励"
        },
    }
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 12 * 1024 * 1024)
    JSON_AS_ASCII = False

    # Privacy
    PRIVACY_NOTICE_VERSION = _env("PRIVACY_NOTICE_VERSION", "2026-01")

    # WeChat
    WECHAT_APPID = _env("WECHAT_APPID", DEV_WECHAT_APPID)
    WECHAT_SECRET = _env("WECHAT_SECRET", DEV_WECHAT_SECRET)
    # Base URL of the WeChat server API; the sandbox in development and tests.
    WECHAT_API_BASE = _env("WECHAT_API_BASE", "https://api.weixin.qq.com/")
    WECHAT_TIMEOUT_SECONDS = float(_env("WECHAT_TIMEOUT_SECONDS", "5"))
    # developer / trial / formal: which mini-program build a subscribe message opens.
    WECHAT_MINIPROGRAM_STATE = _env("WECHAT_MINIPROGRAM_STATE", "formal")
    # release / trial / develop: which build a QR code opens.
    WECHAT_ENV_VERSION = _env("WECHAT_ENV_VERSION", "release")
    WECHAT_TEMPLATE_IDS = {
        kind: _env(f"WECHAT_TEMPLATE_{kind.upper()}", f"tmpl-{kind}") for kind in TEMPLATE_KINDS
    }
    # Serve the sandbox inside the dev server under this prefix (development only).
    WECHAT_SANDBOX_MOUNT = None

    # Scheduler
    SCHEDULER_ENABLED = _env_bool("SCHEDULER_ENABLED", False)
    SCHEDULER_TIMEZONE = "Asia/Shanghai"

    # Notification outbox (subscribe messages): how the dispatcher sends and retries.
    # Housekeeping (nightly): delivered/skipped outbox rows and Idempotency-Key records are
    # deleted after this many days; inbox notices, ledgers and audit rows are kept.
    OUTBOX_RETENTION_DAYS = _env_int("OUTBOX_RETENTION_DAYS", 90)
    IDEMPOTENCY_RETENTION_DAYS = _env_int("IDEMPOTENCY_RETENTION_DAYS", 7)
    NOTIFY_BATCH_SIZE = _env_int("NOTIFY_BATCH_SIZE", 200)
    NOTIFY_CONCURRENCY = _env_int("NOTIFY_CONCURRENCY", 8)
    NOTIFY_MAX_ATTEMPTS = _env_int("NOTIFY_MAX_ATTEMPTS", 8)
    NOTIFY_RETRY_BASE_SECONDS = _env_int("NOTIFY_RETRY_BASE_SECONDS", 30)
    NOTIFY_RETRY_MAX_SECONDS = _env_int("NOTIFY_RETRY_MAX_SECONDS", 3600)
    # A row left in "sending" this long (a dispatcher crashed mid-send) is claimed again.
    NOTIFY_SENDING_TIMEOUT_SECONDS = _env_int("NOTIFY_SENDING_TIMEOUT_SECONDS", 300)
    # One dispatcher run stops claiming after this long, so shutdown never waits for long.
    NOTIFY_MAX_RUN_SECONDS = _env_int("NOTIFY_MAX_RUN_SECONDS", 50)
    # Acceptances a user may bank per template (each one allows one message).
    NOTIFY_MAX_SUBSCRIPTIONS = _env_int("NOTIFY_MAX_SUBSCRIPTIONS", 50)

    # Domain defaults
    TIMEZONE = "Asia/Shanghai"

    # Activities: rotating check-in codes (seconds per code, grace for the previous one), how
    # long before the start check-in opens by default, and the page a check-in QR code opens.
    ACTIVITY_CODE_WINDOW_SECONDS = _env_int("ACTIVITY_CODE_WINDOW_SECONDS", 60)
    ACTIVITY_CODE_GRACE_SECONDS = _env_int("ACTIVITY_CODE_GRACE_SECONDS", 30)
    ACTIVITY_CHECKIN_OPEN_MINUTES = _env_int("ACTIVITY_CHECKIN_OPEN_MINUTES", 30)
    # A checked-in volunteer who scans the wall's check-in code again is checked out, but not
    # within this many minutes of checking in (a double scan).
    ACTIVITY_CHECKOUT_AFTER_MINUTES = _env_int("ACTIVITY_CHECKOUT_AFTER_MINUTES", 10)
    ACTIVITY_CHECKIN_PAGE = _env("ACTIVITY_CHECKIN_PAGE", "pages/activity/scan/index")
    # Points, leaderboards, bulletins, certificates (recognition)
    # Yearly expiry: off by default; when on, on 1 January points earned before the last
    # POINTS_EXPIRY_KEEP_YEARS full years expire (oldest first).
    POINTS_EXPIRY_ENABLED = _env_bool("POINTS_EXPIRY_ENABLED", False)
    POINTS_EXPIRY_KEEP_YEARS = _env_int("POINTS_EXPIRY_KEEP_YEARS", 1)
    POINTS_ADJUSTMENT_LIMIT = _env_int("POINTS_ADJUSTMENT_LIMIT", 1000)
    LEADERBOARD_MAX_DEPTH = _env_int("LEADERBOARD_MAX_DEPTH", 1000)
    BULLETIN_DAILY_BEST_TOP = _env_int("BULLETIN_DAILY_BEST_TOP", 10)
    # 月通报/年考评: ranking lengths and months in the trend chart; 季约谈: how many of the
    # lowest-scoring villages and grid workers of each township are listed for talks.
    BULLETIN_RANKING_TOP = _env_int("BULLETIN_RANKING_TOP", 10)
    BULLETIN_TREND_MONTHS = _env_int("BULLETIN_TREND_MONTHS", 6)
    BULLETIN_TALK_VILLAGES = _env_int("BULLETIN_TALK_VILLAGES", 2)
    BULLETIN_TALK_GRID_WORKERS = _env_int("BULLETIN_TALK_GRID_WORKERS", 3)
    # Village scorecards: activities a village is expected to hold per month (activity_rate).
    SCORECARD_ACTIVITIES_PER_MONTH = _env_int("SCORECARD_ACTIVITIES_PER_MONTH", 4)
    # A TrueType CJK font to embed in certificate PDFs (else the usual system paths are tried).
    CERTIFICATE_FONT_PATH = _env("CERTIFICATE_FONT_PATH")
    # The site's public address (https://…), printed as the verification QR code on
    # certificates; unset: the address the PDF was requested at.
    PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL")
    UPLOAD_DIR = _env("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    # Uploads: largest accepted file and image size (decompression bombs are refused).
    UPLOAD_MAX_BYTES = _env_int("UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
    UPLOAD_MAX_PIXELS = _env_int("UPLOAD_MAX_PIXELS", 40_000_000)

    # Service requests: minutes to accept and to resolve per category and urgency. Override
    # any entry with SERVICE_REQUEST_DEADLINES='{"hazard:urgent": [10, 180], ...}'.
    SERVICE_REQUEST_DEADLINES = _deadlines(_env("SERVICE_REQUEST_DEADLINES"))
    # Unrated resolved requests close after this many days; requesters may reopen within
    # SERVICE_REQUEST_REOPEN_DAYS of resolution.
    SERVICE_REQUEST_AUTO_CLOSE_DAYS = _env_int("SERVICE_REQUEST_AUTO_CLOSE_DAYS", 7)
    SERVICE_REQUEST_REOPEN_DAYS = _env_int("SERVICE_REQUEST_REOPEN_DAYS", 7)
    # Points the resolving handler earns (once per request).
    SERVICE_REQUEST_POINTS = _env_int("SERVICE_REQUEST_POINTS", 10)
    # Funds: an expense above this amount (fen) must be approved by a city admin (5000 元).
    FUND_CITY_APPROVAL_THRESHOLD_FEN = _env_int("FUND_CITY_APPROVAL_THRESHOLD_FEN", 500_000)

    @classmethod
    def validate(cls) -> None:
        """Raise when the configuration is unsafe for this environment."""


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = False
    PORT = _env_int("PORT", 5000)
    WECHAT_SANDBOX_MOUNT = "/wechat-sandbox"
    WECHAT_API_BASE = _env("WECHAT_API_BASE", f"http://127.0.0.1:{PORT}/wechat-sandbox/")
    WECHAT_MINIPROGRAM_STATE = _env("WECHAT_MINIPROGRAM_STATE", "developer")
    WECHAT_ENV_VERSION = _env("WECHAT_ENV_VERSION", "develop")
    SCHEDULER_ENABLED = _env_bool("SCHEDULER_ENABLED", True)


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SQLALCHEMY_DATABASE_URI = _env("TEST_DATABASE_URL", "sqlite:///:memory:")
    REDIS_URL = _env("TEST_REDIS_URL")
    RATELIMIT_ENABLED = True
    LOGIN_RATE_LIMIT = "1000 per minute"
    WECHAT_TIMEOUT_SECONDS = 2.0
    WECHAT_MINIPROGRAM_STATE = "developer"
    WECHAT_ENV_VERSION = "develop"
    SCHEDULER_ENABLED = False


class ProductionConfig(Config):
    ENV_NAME = "production"

    @classmethod
    def validate(cls) -> None:
        problems = []
        if cls.SECRET_KEY in (None, DEV_SECRET_KEY) or len(cls.SECRET_KEY or "") < 32:
            problems.append("SECRET_KEY must be set to a random string of 32+ characters")
        if cls.DATA_ENCRYPTION_KEY in (None, DEV_DATA_ENCRYPTION_KEY):
            problems.append("DATA_ENCRYPTION_KEY must be set (a Fernet key)")
        if cls.WECHAT_APPID in (None, DEV_WECHAT_APPID) or cls.WECHAT_SECRET in (
            None,
            DEV_WECHAT_SECRET,
        ):
            problems.append("WECHAT_APPID and WECHAT_SECRET must be set")
        if not _env("DATABASE_URL"):
            problems.append("DATABASE_URL must be set (mysql+pymysql://...?charset=utf8mb4)")
        if problems:
            raise RuntimeError("Unsafe production configuration: " + "; ".join(problems))


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name: str | None = None) -> type[Config]:
    """Pick the configuration class named by ``name`` or ``APP_ENV`` (default development)."""
    name = name or _env("APP_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError as exc:
        raise RuntimeError(f"unknown APP_ENV {name!r}; use one of {sorted(CONFIGS)}") from exc
