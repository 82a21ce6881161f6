"""Accounts: people, passwords, the sign-in lockout."""
