"""The notification outbox: rows written with the change that causes them, delivered by jobs over SMTP."""
