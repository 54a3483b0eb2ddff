"""Meetings: slot finding in both members' availability, invites, reminders and check-ins."""
