"""The demo county (丰城市) loaded by ``flask seed demo`` and ``make run``: seeding only, never
imported by the API, the jobs or the services."""
