"""Building blocks for tests past the first message: a ready pair, an intro the coach lets through, a mentorship,
a meeting, all created through the API as a portal would."""
from dataclasses import dataclass
from datetime import UTC, datetime

from tests.factories import ApiClient, mentee_payload, mentor_payload

# the `clock` fixture (tests/conftest.py) stops time here: a Monday noon, so weeks and slots are predictable
MONDAY = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def good_message(mentor):
    """A first message written for `mentor` (mentor_payload's company and skills), not a script."""
    return (f"Hi {mentor['name']}, I'm a Columbia analytics student. Your work as a {mentor['title']} at "
            f"{mentor['company']} caught my eye because I spent last summer cleaning loan data and learning "
            f"{mentor['skills'][0].upper()}. I'd love to learn how your team decides when a risk model is good "
            f"enough. What skills should I build this year to be useful on a team like yours?")


@dataclass
class Pair:
    admin: ApiClient
    mentee: dict
    mentor: dict
    mentee_client: ApiClient
    mentor_client: ApiClient

    def intro(self, message=None, **kw):
        return self.admin.post("/api/v1/intros", json={"mentee_id": self.mentee["id"], "mentor_id": self.mentor["id"],
                                                       "message": message or good_message(self.mentor), **kw})

    def mentorship(self, message=None):
        """Intro, accepted by the mentor: returns the mentorship id."""
        intro = self.intro(message)
        assert intro.status_code == 201, intro.json
        accepted = self.mentor_client.post(f"/api/v1/intros/{intro.json['id']}/accept")
        assert accepted.status_code == 200, accepted.json
        return accepted.json["mentorship_id"]


def token_client(app, admin, member_id):
    r = admin.post(f"/api/v1/members/{member_id}/tokens")
    assert r.status_code == 201, r.json
    return ApiClient(app.test_client(), r.json["token"])


def make_pair(app, admin, mentee=None, mentor=None):
    mentee_r = admin.post("/api/v1/members", json=mentee_payload(**(mentee or {})))
    mentor_r = admin.post("/api/v1/members", json=mentor_payload(**(mentor or {})))
    assert mentee_r.status_code == 201 and mentor_r.status_code == 201, (mentee_r.json, mentor_r.json)
    return Pair(admin, mentee_r.json, mentor_r.json, token_client(app, admin, mentee_r.json["id"]),
                token_client(app, admin, mentor_r.json["id"]))


OPENERS = [
    "Your path from {skill} work into a {title} role at {company} is the one I hope to follow. In my thesis I "
    "compare default models across two recessions, and I keep wondering how teams explain model limits to "
    "business partners. How did you learn to present risk findings to people outside the risk team?",
    "I read that you build {skill} tooling at {company}. I come from an accounting background in Seoul and moved "
    "into analytics last year, so I'm still learning how engineering and risk teams work together day to day. "
    "Would you share what surprised you most in your first year as a {title}?",
    "As someone preparing for a visa-sponsored role, I was glad to see {company} in your profile and your "
    "{skill} projects. I built a small stress-testing notebook for a class project and want to understand what "
    "real validation work adds. What does a good first ninety days look like for a junior {title}?",
    "My classmate mentioned that {company} runs an internal {skill} guild, and your headline made me curious about "
    "the {title} track. I've been tutoring first-years in statistics and would like to turn that into a career in "
    "risk. Which courses or certifications helped you most, looking back?",
]


def varied_message(mentor, n):
    """A distinct, personal message per n: a mentee writing to several mentors without a script."""
    return OPENERS[n % len(OPENERS)].format(skill=mentor["skills"][0], title=mentor["title"],
                                            company=mentor["company"])
