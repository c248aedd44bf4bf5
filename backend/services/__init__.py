"""Services: every business rule and state change. They never commit: the request or job does."""
