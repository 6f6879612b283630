"""Vietnamese text folded for searching: lower case, no tone marks, đ → d, one char per char.

Folding keeps one character for each character of NFC text, so a match found in the folded
text sits at the same offsets in the original (the masking of names typed without accents
relies on it).
"""

import re
import unicodedata

_WORD = re.compile(r"\w+")


def fold_char(char: str) -> str:
    """One NFC character without its marks, lower-cased: ``Ở`` → ``o``, ``Đ`` → ``d``."""
    if char in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", char)[0]
    lowered = base.lower()
    return lowered if len(lowered) == 1 else base


def fold(text: str) -> str:
    """The NFC text folded character by character (same length as the NFC text)."""
    return "".join(fold_char(c) for c in unicodedata.normalize("NFC", text))


def fold_words(text: str) -> tuple[str, ...]:
    """The folded words of `text`: ``"Đường bị sạt lở!"`` → ``("duong", "bi", "sat", "lo")``."""
    return tuple(_WORD.findall(fold(text)))
