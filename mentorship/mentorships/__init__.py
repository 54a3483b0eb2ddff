"""Mentorships after an accepted intro: milestones, trust and referral eligibility, health."""
