"""Optional dependencies (Redis) must never take the API down with them.

Redis holds the shared WeChat access token and the rate-limit counters. While it is unreachable
each process falls back to its own memory (a token per process, counters per process); a hung
Redis costs one short timeout per check, not a hung request, because clients built here have
short socket timeouts and no built-in retries (redis-py's default would retry ten times).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry


def redis_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """Connection options for every Redis client of the app (token store, limiter, health)."""
    timeout = float(config.get("REDIS_SOCKET_TIMEOUT_SECONDS") or 0.5)
    return {
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "retry": Retry(NoBackoff(), 0),
    }


def redis_client(url: str, config: Mapping[str, Any]) -> redis.Redis:
    return redis.Redis.from_url(url, **redis_options(config))


class Outage:
    """One process's memory of a dependency being down.

    ``failed()`` logs a warning once per outage and makes ``available()`` false for
    ``recheck_seconds`` (callers use their fallback meanwhile instead of waiting on a timeout
    every time); ``recovered()`` logs the return once.
    """

    def __init__(self, name: str, recheck_seconds: float, logger: logging.Logger) -> None:
        self.name = name
        self.recheck_seconds = recheck_seconds
        self.log = logger
        self.down = False
        self._retry_at = 0.0
        self._lock = threading.Lock()

    def available(self) -> bool:
        return not self.down or time.monotonic() >= self._retry_at

    def failed(self, error: BaseException) -> None:
        with self._lock:
            self._retry_at = time.monotonic() + self.recheck_seconds
            if self.down:
                return
            self.down = True
        self.log.warning(
            "%s unreachable (%s: %s); falling back to this process's memory",
            self.name,
            type(error).__name__,
            error,
        )

    def recovered(self) -> None:
        if not self.down:
            return
        with self._lock:
            if not self.down:
                return
            self.down = False
        self.log.warning("%s reachable again", self.name)
