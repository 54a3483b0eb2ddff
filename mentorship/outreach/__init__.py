"""Intros (the first message) and the outreach coach that reviews it."""
