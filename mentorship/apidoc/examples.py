"""An example of every request and response body, by schema name as /openapi.json names it (`Member` for
MemberSchema): values as the service answers them, for one tenant (a career office), a mentee and a mentor.
tests/test_openapi.py fails naming any body schema without one, and checks each validates against its schema."""

EXAMPLES = {
    "ApiKeyCreated": {
        "created_at": "2026-12-04T20:18:20+00:00",
        "id": 2,
        "kind": "partner",
        "last_used_at": None,
        "name": "portal",
        "prefix": "msk_ezdXi3",
        "revoked_at": None,
        "secret": "msk_ezdXi3Zfh1SlGw7FSehzKDHF2gT1PTJsOVRYgoyouvc",
    },
    "ApiKeyIn": {"kind": "partner", "name": "portal"},
    "ApiKeyPage": {
        "items": [
            {
                "created_at": "2026-12-04T20:18:38+00:00",
                "id": 1,
                "kind": "admin",
                "last_used_at": "2026-12-04T20:18:38+00:00",
                "name": "initial admin key",
                "prefix": "msk_fki0w9",
                "revoked_at": None,
            }
        ],
        "page": 1,
        "per_page": 20,
        "total": 2,
    },
    "Applied": {"id": 1, "applied_at": "2026-12-04T20:19:02+00:00", "intro_ids": [3, 4], "skipped": []},
    "AuditEventPage": {
        "items": [
            {
                "action": "member.created",
                "actor": "key:1",
                "at": "2026-12-04T20:18:27+00:00",
                "data": {"via": "import"},
                "id": 20,
                "object_id": 8,
                "object_type": "members",
            }
        ],
        "page": 1,
        "per_page": 100,
        "total": 15,
    },
    "CheckIn": {
        "created_at": "2026-03-04T13:45:00+00:00",
        "happened": True,
        "id": 1,
        "meeting_id": 1,
        "meeting_status": "scheduled",
        "member_id": 1,
        "note": None,
        "rating": 5,
        "role": "mentee",
    },
    "CheckInIn": {"happened": True, "rating": 5},
    "Close": {"note": "Thanks!", "reason": "goals_met"},
    "Coaching": {
        "issues": [
            {
                "code": "cold_referral_ask",
                "message": "Your message asks Dana for a referral (“help with a referral”). In a first message "
                "this usually ends the conversation: a referral is something a mentor offers later, "
                "once they know you and your work.",
                "severity": "block",
            },
            {
                "code": "not_personalized",
                "message": "Your message says nothing specific about Dana beyond their name.",
                "severity": "block",
            },
            {
                "code": "no_purpose",
                "message": "Your message does not say why you want to connect or what you hope to learn.",
                "severity": "warn",
            },
        ],
        "ok": False,
        "score": 22,
        "suggestions": [
            "Leave the referral out. Ask to learn instead, for example: “Could I ask you two or three "
            "questions about your work at Example Bank?” If the relationship grows, Dana can offer to "
            "refer you later.",
            "Mention one thing from Dana's profile and why it matters to you, for example their work at "
            "Example Bank, their experience with sas or their focus on credit risk.",
            "Say what you hope to learn, for example: “I'd love to learn how you approach credit risk at "
            "Example Bank, and what helped you get there.”",
        ],
    },
    "Confirm": {"start": "2026-03-04T13:00:00+00:00"},
    "Decide": {"decision": "approve", "note": "Happy to vouch."},
    "Decline": {"reason": "no time"},
    "Empty": {},
    "Export": {
        "audit_events": [
            {
                "action": "member.created",
                "actor": "system",
                "at": "2026-12-04T20:18:31+00:00",
                "data": {"role": "mentee"},
            }
        ],
        "exported_at": "2026-12-04T20:18:31+00:00",
        "intros": [],
        "meetings": [],
        "member": {
            "availability": [
                {"end": "18:00", "start": "09:00", "weekday": 0},
                {"end": "18:00", "start": "09:00", "weekday": 1},
            ],
            "bio": "I grew up in Lagos and came to study analytics because I like turning messy data into "
            "decisions. Last summer I interned on a pricing team and learned how much context matters "
            "behind every number.",
            "capacity": None,
            "company": None,
            "company_sponsors_visa": None,
            "created_at": "2026-12-04T20:18:31+00:00",
            "domains": ["finance/credit-risk"],
            "email": "adaeze.okafor@example.edu",
            "goals": ["domain-knowledge", "career-plan"],
            "graduation_year": 2026,
            "headline": "MS Business Analytics student interested in pricing",
            "id": 1,
            "international": True,
            "languages": ["en"],
            "name": "Adaeze Okafor",
            "needs_visa_sponsorship": True,
            "photo_url": "https://randomuser.me/api/portraits/women/44.jpg",
            "prefers": None,
            "profile": {"gaps": [], "ready": True, "score": 100},
            "role": "mentee",
            "school": "Columbia University",
            "skills": ["python", "sql"],
            "timezone": "America/New_York",
            "title": None,
            "updated_at": "2026-12-04T20:18:31+00:00",
            "years_experience": None,
        },
        "mentorships": [],
        "notifications": [],
        "referral_requests": [],
        "tokens": [
            {
                "created_at": "2026-12-04T20:18:31+00:00",
                "expires_at": "2027-03-04T20:18:31+00:00",
                "id": 1,
                "issued_by": "admin",
                "revoked": False,
            },
            {
                "created_at": "2026-12-04T20:18:31+00:00",
                "expires_at": "2027-03-04T20:18:31+00:00",
                "id": 3,
                "issued_by": "partner",
                "revoked": False,
            },
        ],
    },
    "Funnel": {
        "intros": {"accepted": 1, "blocked": 0, "declined": 0, "expired": 0, "sent": 1},
        "medians": {"days_to_first_meeting": None, "days_to_referral_eligible": None, "mentor_response_hours": 0.0},
        "meetings": {"completed": 0, "missed": 1, "no_shows": {"2": 1}, "scheduled": 1},
        "members": {"mentees": 1, "mentors": 1, "ready": 2},
        "mentorships": {"active": 1, "at_risk": 1, "closed": 0, "needs_check_in": 0, "on_track": 0},
        "referrals": {
            "approved": 0,
            "declined": 0,
            "eligible": 0,
            "outcomes": {"hired": 0, "interviewing": 0, "not_selected": 0, "offer": 0, "submitted": 0},
            "requested": 0,
        },
    },
    "ImportResult": {"created": 2, "updated": 0},
    "Intro": {
        "coaching": {"issues": [], "ok": True, "score": 100, "suggestions": []},
        "created_at": "2026-03-02T14:00:00+00:00",
        "decline_reason": None,
        "expires_at": "2026-03-16T14:00:00+00:00",
        "id": 1,
        "match_run_id": None,
        "mentee_id": 1,
        "mentor_id": 2,
        "mentorship_id": 1,
        "message": "Hi Dana, I'm Wei, a Columbia MSFE student. Your model validation work at Bank of China caught my "
        "eye: I spent a year building loan-default models in SAS. What does a typical week look like on a "
        "validation team? I'd like to learn before I choose a direction.",
        "responded_at": "2026-03-02T14:00:00+00:00",
        "source": "mentee",
        "status": "accepted",
        "updated_at": "2026-03-02T14:00:01+00:00",
    },
    "IntroIn": {
        "mentee_id": 1,
        "mentor_id": 2,
        "message": "Hi Dana, I'm Wei, a Columbia MSFE student. Your model validation work at Bank of China caught my "
        "eye: I spent a year building loan-default models in SAS. What does a typical week look like on a "
        "validation team? I'd like to learn before I choose a direction.",
    },
    "Invite": {
        "email": "someone@example.edu",
        "expires_at": "2026-12-11T20:18:44+00:00",
        "role": "mentee",
        "url": "http://127.0.0.1:5000/t/columbia/join/inv_JXsmwfVm9fm2oo9VPrIrpqsYafvTcvEL2yH50LP54FU",
    },
    "InviteIn": {"email": "Someone@Example.edu", "role": "mentee"},
    "MatchRun": {
        "assignments": [
            {
                "mentee_id": 4,
                "mentor_id": 1,
                "reasons": [
                    {"code": "shared_domain", "detail": "Both work in finance/credit-risk"},
                    {"code": "goal_match", "detail": "Offers domain-knowledge, career-plan"},
                ],
                "score": 0.9215,
            },
            {
                "mentee_id": 5,
                "mentor_id": 2,
                "reasons": [
                    {"code": "shared_domain", "detail": "Both work in software/backend"},
                    {"code": "goal_match", "detail": "Offers domain-knowledge, career-plan"},
                ],
                "score": 0.9348,
            },
        ],
        "created_at": "2026-12-04T20:18:22+00:00",
        "error": None,
        "finished_at": "2026-12-04T20:18:22+00:00",
        "id": 1,
        "min_score": 0.2,
        "started_at": "2026-12-04T20:18:22+00:00",
        "stats": {"matched": 4, "mentees": 6, "mentors": 3, "seconds": 0.132, "total_score": 3.5726},
        "status": "succeeded",
        "strategy": "optimal",
        "unmatched": [{"mentee_id": 7, "reason": "no_match"}, {"mentee_id": 9, "reason": "no_match"}],
        "unmatched_mentee_ids": [7, 9],
    },
    "MatchRunIn": {"mentee_ids": [4, 5, 6], "mentor_ids": [1, 2], "strategy": "stable"},
    "Meeting": {
        "check_ins": [
            {
                "created_at": "2026-06-03T12:40:00+00:00",
                "happened": False,
                "id": 1,
                "meeting_id": 1,
                "member_id": 1,
                "note": "no one came",
                "rating": None,
                "role": "mentee",
            }
        ],
        "created_at": "2026-06-01T12:00:00+00:00",
        "duration_minutes": 30,
        "end": "2026-06-03T12:30:00+00:00",
        "id": 1,
        "mentee_id": 1,
        "mentor_id": 2,
        "mentorship_id": 1,
        "mode": "video",
        "no_show_member_ids": [2],
        "proposed_by": 1,
        "proposed_slots": [],
        "scheduled_at": "2026-06-01T12:00:00+00:00",
        "start": "2026-06-03T12:00:00+00:00",
        "status": "missed",
    },
    "MeetingIn": {"duration_minutes": 30, "mode": "video"},
    "Member": {
        "availability": [
            {"end": "18:00", "start": "09:00", "weekday": 0},
            {"end": "18:00", "start": "09:00", "weekday": 1},
        ],
        "bio": "I grew up in Lagos and came to work in risk because I like turning messy data into decisions. Last "
        "summer I interned on a pricing team and learned how much context matters behind every number.",
        "capacity": 0,
        "company": "Example Bank",
        "company_sponsors_visa": True,
        "created_at": "2026-12-04T20:18:19+00:00",
        "domains": ["finance/credit-risk"],
        "email": "dana.li@example.com",
        "goals": ["domain-knowledge", "career-plan", "visa-guidance"],
        "graduation_year": None,
        "headline": "Credit risk analyst at a commercial bank",
        "id": 2,
        "international": True,
        "languages": ["en", "zh"],
        "name": "Dana Li",
        "needs_visa_sponsorship": None,
        "photo_url": "https://randomuser.me/api/portraits/women/65.jpg",
        "prefers": None,
        "profile": {"gaps": ["capacity_zero"], "ready": True, "score": 96},
        "role": "mentor",
        "school": "Columbia University",
        "skills": ["sas", "python"],
        "timezone": "America/New_York",
        "title": "Credit Risk Analyst",
        "updated_at": "2026-12-04T20:18:19+00:00",
        "years_experience": 5,
    },
    "MemberImport": {
        "created": None,
        "created_at": "2026-12-04T20:18:27+00:00",
        "errors": [
            {"field": "role", "message": "The role of an existing member cannot change.", "row": 11},
            {"field": "email", "message": "An email address must have an @-sign.", "row": 12},
        ],
        "errors_total": 5,
        "finished_at": "2026-12-04T20:18:27+00:00",
        "id": 1,
        "phase": None,
        "rows_done": 14,
        "rows_total": 14,
        "started_at": "2026-12-04T20:18:27+00:00",
        "status": "failed",
        "updated": None,
    },
    "MemberIn": {
        "availability": [
            {"end": "20:00", "start": "08:00", "weekday": 0},
            {"end": "20:00", "start": "08:00", "weekday": 1},
        ],
        "bio": "I grew up in Lagos and came to work in risk because I like turning messy data into decisions. Last "
        "summer I interned on a pricing team and learned how much context matters behind every number.",
        "capacity": 3,
        "company": "Bank of China",
        "company_sponsors_visa": True,
        "domains": ["finance/credit-risk"],
        "email": "dana.li@example.com",
        "goals": ["domain-knowledge", "career-plan", "visa-guidance"],
        "headline": "Credit risk analyst at a commercial bank",
        "international": True,
        "languages": ["en", "zh"],
        "name": "Dana Li",
        "photo_url": "https://randomuser.me/api/portraits/women/65.jpg",
        "role": "mentor",
        "school": "Columbia University",
        "skills": ["sas", "model validation"],
        "timezone": "Europe/London",
        "title": "Credit Risk Analyst",
        "years_experience": 5,
    },
    "MemberPatch": {"capacity": 2},
    "Mentorship": {
        "close_reason": None,
        "closed_at": None,
        "health": "on_track",
        "id": 1,
        "intro_id": 1,
        "meetings": {"completed": 1, "scheduled": 0},
        "mentee_id": 1,
        "mentor_id": 2,
        "milestones": [
            {
                "completed_at": "2026-03-02T14:00:00+00:00",
                "evidence": {"intro_id": 1},
                "key": "intro_accepted",
                "status": "completed",
            },
            {
                "completed_at": "2026-03-02T14:00:01+00:00",
                "evidence": {
                    "questions": [
                        "What made you choose credit risk?",
                        "How does your team challenge a PD model?",
                        "What should I learn this year?",
                    ]
                },
                "key": "questions_prepared",
                "status": "completed",
            },
        ],
        "started_at": "2026-03-02T14:00:00+00:00",
        "status": "active",
        "trust": {"missing": ["follow_up_completed", "mentor_endorsement"], "referral_eligible": False, "score": 51},
    },
    "MilestoneIn": {
        "questions": [
            "What made you choose credit risk?",
            "How does your team challenge a PD model?",
            "What should I learn this year?",
        ]
    },
    "NotificationPage": {
        "items": [
            {
                "created_at": "2026-03-30T14:01:01+00:00",
                "data": {"decision": "approved"},
                "due_at": "2026-03-30T14:01:01+00:00",
                "event": "referral.decided",
                "id": 25,
                "member_id": 1,
                "object_id": 1,
                "object_type": "referral_requests",
                "sent_at": "2026-03-30T14:01:01+00:00",
                "status": "sent",
                "subject": "Dana Li decided on your referral request",
            }
        ],
        "page": 1,
        "per_page": 100,
        "total": 11,
    },
    "Outcome": {"outcome": "interviewing"},
    "Policy": {
        "frame_ancestors": ["https://careers.example.edu"],
        "intro_expiry_days": 14,
        "max_pending_intros": 3,
        "min_meetings": 2,
        "min_profile_score": 70,
        "min_weeks": 4,
        "referral_requires": [
            "intro_accepted",
            "questions_prepared",
            "first_meeting_completed",
            "career_plan_shared",
            "follow_up_completed",
            "mentor_endorsement",
        ],
    },
    "Queued": {"id": 1, "status": "queued"},
    "Recommendations": {
        "items": [
            {
                "mentor": {
                    "company": "Bank of China",
                    "headline": "Credit risk analyst at a commercial bank",
                    "id": 2,
                    "name": "Dana Li",
                    "title": "Credit Risk Analyst",
                },
                "reasons": [
                    {"code": "shared_domain", "detail": "Both work in finance/credit-risk"},
                    {"code": "goal_match", "detail": "Offers domain-knowledge, career-plan"},
                ],
                "score": 0.9546,
            }
        ]
    },
    "Referral": {
        "company": "Example Bank",
        "created_at": "2026-06-01T12:00:00+00:00",
        "decided_at": "2026-06-01T12:00:00+00:00",
        "decision_note": None,
        "id": 1,
        "job_title": "Risk Analyst",
        "job_url": None,
        "mentee_id": 1,
        "mentor_id": 2,
        "mentorship_id": 1,
        "note": None,
        "outcome": "interviewing",
        "outcome_at": "2026-06-01T12:00:00+00:00",
        "status": "approved",
    },
    "ReferralIn": {"company": "Bank of China", "job_title": "Credit Risk Associate"},
    "Tenant": {
        "created_at": "2026-12-04T20:18:33+00:00",
        "id": 1,
        "name": "Columbia Career Office",
        "slug": "columbia",
    },
    "Token": {
        "expires_at": "2026-05-31T14:00:00+00:00",
        "member_id": 1,
        "token": "mmt_WwDSAwd8E7TblNbmXI4v0RoAJrDa6YrXnMDdoopTc1Y",
    },
    "TokenIn": {},
    "WebhookIn": {"url": "https://portal.example.edu/hooks/mentorship", "events": ["intro.accepted",
                                                                              "referral.decided"]},
    "WebhookCreated": {
        "id": 1,
        "url": "https://portal.example.edu/hooks/mentorship",
        "events": ["intro.accepted", "referral.decided"],
        "created_at": "2026-12-04T20:18:38+00:00",
        "disabled_at": None,
        "disabled_reason": None,
        "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    },
    "DeliveryPage": {
        "items": [
            {
                "id": 7,
                "webhook_id": 1,
                "msg_id": "msg_5f0c6a9e2d3b4f1a8c7e6d5b4a392817",
                "event": "intro.accepted",
                "status": "delivered",
                "attempts": 2,
                "last_status_code": 200,
                "last_error": None,
                "next_attempt_at": None,
                "created_at": "2026-12-04T20:19:02+00:00",
                "delivered_at": "2026-12-04T20:19:40+00:00",
            }
        ],
        "page": 1,
        "per_page": 20,
        "total": 1,
    },
}


def _page(item):
    return {"items": [item], "page": 1, "per_page": 20, "total": 1}


# the lists' pages and the funnel's breakdown, built from the examples of what they hold
EXAMPLES["MatchRunPage"] = _page(EXAMPLES["MatchRun"])
EXAMPLES["IntroPage"] = _page(EXAMPLES["Intro"])
EXAMPLES["MemberPage"] = _page(EXAMPLES["Member"])
EXAMPLES["MentorshipPage"] = _page(EXAMPLES["Mentorship"])
EXAMPLES["WebhookPage"] = _page({k: v for k, v in EXAMPLES["WebhookCreated"].items() if k != "secret"})
EXAMPLES["MeetingPage"] = _page(EXAMPLES["Meeting"])
EXAMPLES["ReferralPage"] = _page(EXAMPLES["Referral"])
EXAMPLES["FunnelReport"] = {**EXAMPLES["Funnel"], "by": "school",
                            "groups": [{"key": "Columbia University", **EXAMPLES["Funnel"]}]}
