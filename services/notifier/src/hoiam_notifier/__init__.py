"""Hồi Âm notifier: every body told, every petitioner answered on their own channel, once."""
