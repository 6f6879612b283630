"""Hồi Âm router: the responsible body for every item, from its words and its place."""
