"""Referral requests inside a mentorship that earned them, decided only by the mentor."""
