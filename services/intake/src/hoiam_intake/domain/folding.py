"""Vietnamese text folded for comparing: lower case, no tone marks, đ → d, words only."""

import re
import unicodedata


def folded(text: str) -> str:
    """Lower case, no accents (đ → d), punctuation as spaces, one space between words."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    plain = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())
