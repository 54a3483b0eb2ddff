"""One place for 'now', always an aware UTC datetime."""
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
