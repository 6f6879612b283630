"""The documents written from a session's compilation and results: .docx reports in the usual
administrative layout and .xlsx tables, the same bytes for the same data (stable.py)."""
