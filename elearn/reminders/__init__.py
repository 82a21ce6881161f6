"""Reminders: e-mails to learners whose certificate is due soon or expired, and digests to trainers."""
