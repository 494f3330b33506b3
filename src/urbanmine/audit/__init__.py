"""Audit: who changed what (audit log) and personal data (GDPR pseudonymisation)."""
