"""Accounts: signing in, passwords, API tokens and the second factor."""
