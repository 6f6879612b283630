"""Vietnamese text helpers shared by the routing rules: folding accents and splitting words."""

import re
import unicodedata

_VIETNAMESE_MARKS = re.compile(
    r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]"
)
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower-case without diacritics: ``Đường`` → ``duong``, for text typed without accents."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def lower(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


def has_marks(text: str) -> bool:
    """Whether the text was typed with Vietnamese diacritics (then they are kept when matching)."""
    return bool(_VIETNAMESE_MARKS.search(lower(text)))


def words(text: str) -> list[str]:
    """The words of lower-cased NFC text, punctuation dropped."""
    return _WORD.findall(text)
