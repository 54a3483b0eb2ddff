"""The meeting invite: parsed back with icalendar, and checked on the wire (CRLF, folding, escaping, UTC)."""
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from mentorship.scheduling.ics import PRODID, invite

START = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
STAMP = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
ATTENDEES = [("Wei Zhang 张伟", "wei@example.com"), ("Ana López, PhD", "ana@example.org")]


def make(**overrides):
    fields = dict(uid="meeting-12@acme.mentorship", start=START, end=START + timedelta(minutes=30),
                  summary="Coffee chat: Ana López & Wei Zhang", description="Mode: video\nBring your questions; ok?",
                  organizer=("Acme Career Office", "careers@acme.edu"), attendees=ATTENDEES, dtstamp=STAMP)
    return invite(**{**fields, **overrides})


def event_of(raw):
    calendar = Calendar.from_ical(raw)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def test_fields_parse_back():
    calendar, event = event_of(make(sequence=2, url="https://acme.example/meetings/12"))
    assert str(calendar["PRODID"]) == PRODID and str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == "meeting-12@acme.mentorship"
    assert event.decoded("DTSTART") == START and event.decoded("DTEND") == START + timedelta(minutes=30)
    assert event.decoded("DTSTAMP") == STAMP
    assert str(event["SUMMARY"]) == "Coffee chat: Ana López & Wei Zhang"
    assert str(event["DESCRIPTION"]) == "Mode: video\nBring your questions; ok?"
    assert int(event["SEQUENCE"]) == 2 and str(event["STATUS"]) == "CONFIRMED"
    assert str(event["URL"]) == "https://acme.example/meetings/12"
    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:careers@acme.edu" and organizer.params["CN"] == "Acme Career Office"


def test_both_attendees_with_names_escaped():
    raw = make()
    _, event = event_of(raw)
    attendees = event["ATTENDEE"]
    assert [str(a) for a in attendees] == ["mailto:wei@example.com", "mailto:ana@example.org"]
    assert [a.params["CN"] for a in attendees] == ["Wei Zhang 张伟", "Ana López, PhD"]
    assert all(a.params["ROLE"] == "REQ-PARTICIPANT" for a in attendees)
    unfolded = raw.replace(b"\r\n ", b"")
    assert 'ATTENDEE;CN="Ana López, PhD";'.encode() in unfolded  # a comma in a parameter value: quoted
    assert 'CN="Wei Zhang 张伟"'.encode() in unfolded or 'CN=Wei Zhang 张伟;'.encode() in unfolded
    assert b"SUMMARY:Coffee chat: Ana L" in unfolded
    assert b"DESCRIPTION:Mode: video\\nBring your questions\\; ok?" in unfolded  # TEXT escaping


def test_times_are_utc_whatever_zone_is_given():
    new_york = timezone(timedelta(hours=-4))
    raw = make(start=datetime(2026, 3, 10, 10, 0, 30, 999, tzinfo=new_york), end=datetime(2026, 3, 10, 14, 30),
               dtstamp=datetime(2026, 3, 1, 10, 30, tzinfo=timezone(timedelta(hours=1))))
    assert b"\r\nDTSTART:20260310T140030Z\r\n" in raw and b"\r\nDTEND:20260310T143000Z\r\n" in raw  # naive = UTC
    assert b"\r\nDTSTAMP:20260301T093000Z\r\n" in raw
    _, event = event_of(raw)
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)


def test_crlf_line_endings_and_folding():
    raw = make(description="张伟 " * 80)
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    lines = raw.split(b"\r\n")
    assert b"\n" not in b"".join(lines)  # no bare LF anywhere
    assert all(len(line) <= 75 for line in lines)
    for line in lines:
        line.decode("utf-8")  # folding never splits a multi-byte character
    _, event = event_of(raw)
    assert str(event["DESCRIPTION"]) == "张伟 " * 80


def test_uid_and_bytes_stable_across_calls():
    assert make() == make()
    assert str(event_of(make(sequence=1))[1]["UID"]) == str(event_of(make())[1]["UID"])


def test_cancelled_and_no_organizer():
    calendar, event = event_of(make(status="CANCELLED", sequence=3, organizer=None))
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 3
    assert str(calendar["METHOD"]) == "CANCEL"  # RFC 5546: a cancellation is METHOD:CANCEL
    assert "ORGANIZER" not in event


def test_dtstamp_defaults_to_now():
    before = datetime.now(UTC).replace(microsecond=0)
    _, event = event_of(make(dtstamp=None))
    assert before <= event.decoded("DTSTAMP") <= datetime.now(UTC)


def test_line_breaks_quotes_and_backslashes_cannot_inject_anything():
    raw = make(attendees=[('Eve\r\nATTENDEE:mailto:evil@x.example', "eve@example.com"),
                          ('Bob "The Builder"\\', "bob@example.com")],
               summary="Hi\r\nATTENDEE:mailto:evil@x.example\rEND:VEVENT")
    _, event = event_of(raw)
    assert [str(a) for a in event["ATTENDEE"]] == ["mailto:eve@example.com", "mailto:bob@example.com"]
    assert [a.params["CN"] for a in event["ATTENDEE"]] == ["Eve ATTENDEE:mailto:evil@x.example", 'Bob "The Builder"']
    assert str(event["SUMMARY"]) == "Hi\nATTENDEE:mailto:evil@x.example\nEND:VEVENT"
    assert b"\r\nATTENDEE:mailto:evil" not in raw


@pytest.mark.parametrize("overrides", [
    {"status": "MAYBE"}, {"uid": ""}, {"uid": "a\nb"}, {"end": START}, {"sequence": -1},
    {"attendees": [("X", "not an address")]}, {"attendees": [("X", "")]},
])
def test_invalid_input(overrides):
    with pytest.raises(ValueError):
        make(**overrides)


@settings(max_examples=100, deadline=None)
@given(names=st.lists(st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=60), min_size=2,
                      max_size=2),
       summary=st.text(max_size=200), description=st.text(max_size=500))
def test_any_text_round_trips(names, summary, description):
    raw = make(attendees=[(names[0], "a@example.com"), (names[1], "b@example.com")], summary=summary,
               description=description)
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    _, event = event_of(raw)
    assert [str(a) for a in event["ATTENDEE"]] == ["mailto:a@example.com", "mailto:b@example.com"]
    assert b"\r" not in raw.replace(b"\r\n", b"")  # no bare CR either
    # read back by RFC 5545's own rules: icalendar 6.3's parser turns an escaped backslash before a comma ("\\\\\\,")
    # into "," (found by this test), though what we write is right
    assert text_property(raw, "SUMMARY") == clean_text(summary)
    assert text_property(raw, "DESCRIPTION") == clean_text(description)
    assert [a.params.get("CN", "") for a in event["ATTENDEE"]] == [clean_name(n) for n in names]


@pytest.mark.parametrize("text", ["C:\\New folder", "\\N", "a\\Nb\\nc\\,d\\;e\\\\N"])
def test_a_backslash_before_n_stays_a_backslash(text):
    """Regression (found by the property test above): icalendar's escaping read a literal backslash-N as a line
    break, so "C:\\New folder" reached a calendar as "C:" and a new line."""
    raw = make(attendees=[("A", "a@example.com"), ("B", "b@example.com")], summary=text, description=text)
    assert text_property(raw, "SUMMARY") == text
    assert text_property(raw, "DESCRIPTION") == text  # read by RFC 5545's rules (icalendar's reader misreads it)


def text_property(raw, name):
    """The TEXT value of property `name` in an iCalendar stream: unfolded, then unescaped (RFC 5545 3.1, 3.3.11)."""
    unfolded = raw.replace(b"\r\n ", b"").replace(b"\r\n\t", b"").decode()
    value = next(line for line in unfolded.split("\r\n") if line.startswith(name + ":"))[len(name) + 1:]
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def test_a_backslash_before_a_comma_round_trips():
    raw = make(summary="a\\,b; c\\\\", description="x\\n,y")
    assert text_property(raw, "SUMMARY") == "a\\,b; c\\\\"
    assert text_property(raw, "DESCRIPTION") == "x\\n,y"


def clean_text(text):
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c in "\t\n" or not (ord(c) < 32 or ord(c) == 127))


def clean_name(name):
    return re.sub(r"[\x00-\x1f\x7f]+", " ", name).replace("\\", "").strip()  # a run of controls: one space
