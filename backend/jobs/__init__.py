"""Periodic jobs. ``registry.JOBS`` lists every job with its trigger; the scheduler runs them."""
