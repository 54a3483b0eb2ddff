"""A meeting as an iCalendar (RFC 5545) invite: one VEVENT, times in UTC, both attendees. Pure: no Flask, no database.

Text is escaped by `icalendar` (`,` `;` `\\` and newlines in TEXT values; parameter values such as CN are quoted
when they hold `,` `;` `:` and `"` is written as `^'` per RFC 6868); lines are folded at 75 octets without
splitting a UTF-8 character and end in CRLF. In SUMMARY and DESCRIPTION line breaks become LF (written `\\n`) and
other control characters but TAB are dropped; in names, control characters become spaces and backslashes are
dropped (valid in a parameter value, but misread by common parsers, icalendar's own included).
Following RFC 5546 (iTIP), a CANCELLED event is sent with METHOD:CANCEL, everything else with METHOD:REQUEST;
the caller bumps `sequence` on every change to a meeting already sent.
"""
import re
from datetime import UTC, datetime

from icalendar import Calendar, Event, vCalAddress, vText

__all__ = ["PRODID", "STATUSES", "invite"]

PRODID = "-//Mentorship//Meetings//EN"
STATUSES = ("CONFIRMED", "TENTATIVE", "CANCELLED")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class _Text(vText):
    """A TEXT value escaped by RFC 5545 3.3.11 alone: icalendar's own escaping first turns a literal backslash
    followed by `N` into a line break (so "C:\\New" would reach a calendar as "C:" and a new line)."""

    def to_ical(self):
        escaped = (str(self).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
                   .replace("\n", "\\n"))
        return escaped.encode(self.encoding)


def _text(value: str) -> _Text:
    return _Text(_TEXT_CONTROL.sub("", (value or "").replace("\r\n", "\n").replace("\r", "\n")))


def _utc(value: datetime) -> datetime:
    """Aware UTC to the second (naive datetimes are taken as UTC)."""
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.replace(microsecond=0)


def _address(name: str, email: str, **params: str) -> vCalAddress:
    email = email.strip()
    if not email or _CONTROL.search(email) or any(c in email for c in ' <>"'):
        raise ValueError(f"not an e-mail address: {email!r}")
    address = vCalAddress(f"mailto:{email}")
    name = _CONTROL.sub(" ", name or "").replace("\\", "").strip()
    if name:
        address.params["CN"] = vText(name)
    address.params.update(params)
    return address


def invite(*, uid: str, start: datetime, end: datetime, summary: str, description: str,
           organizer: tuple[str, str] | None, attendees: list[tuple[str, str]],
           sequence: int = 0, status: str = "CONFIRMED", dtstamp: datetime | None = None,
           url: str | None = None) -> bytes:
    """The invite as iCalendar bytes (UTF-8, CRLF). `organizer` and `attendees` are (name, email) pairs."""
    status = status.upper()
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}, not {status!r}")
    if not uid or _CONTROL.search(uid):
        raise ValueError("uid must be a non-empty single-line string")
    start, end = _utc(start), _utc(end)
    if end <= start:
        raise ValueError("end must be after start")
    if sequence < 0:
        raise ValueError("sequence must not be negative")

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if status == "CANCELLED" else "REQUEST")

    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", _utc(dtstamp or datetime.now(UTC)))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("sequence", sequence)
    event.add("status", status)
    event.add("summary", _text(summary))
    event.add("description", _text(description))
    if url:
        event.add("url", url)
    if organizer is not None:
        event.add("organizer", _address(*organizer), encode=False)
    for name, email in attendees:
        event.add("attendee", _address(name, email, CUTYPE="INDIVIDUAL", ROLE="REQ-PARTICIPANT",
                                       PARTSTAT="NEEDS-ACTION", RSVP="TRUE"), encode=False)
    calendar.add_component(event)
    return calendar.to_ical()
