"""Hồi Âm intake: every channel in, raw first, normalised into one `FeedbackReceived` event."""
