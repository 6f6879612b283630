"""Helpers for tests that use the real local stack: starting it, SMTP capture, free ports."""
