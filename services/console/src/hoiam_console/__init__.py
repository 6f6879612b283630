"""Hồi Âm console: the browser and JSON API of operators, body staff, delegates and admins."""
