"""What crosses Hồi Âm's service boundaries: events, topics, settings and client helpers."""
