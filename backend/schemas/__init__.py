"""Marshmallow schemas per domain: ``*In`` (strict input), ``*Out`` and ``*Query``."""
