"""Vietnamese text helpers shared by the routing rules: folding accents and splitting words."""

import re
import unicodedata

_VIETNAMESE_MARKS = re.compile(
    r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]"
)
_WORD = re.compile(r"\w+")
# Two conventions place the tone mark of an open "oa", "oe", "uy": old "hoá", "thuỷ", new
# "hóa", "thủy". Both are common in official texts; the new one is used throughout.
_OLD_TONE = re.compile(r"(?<!q)([ou])([áàảãạéèẻẽẹýỳỷỹỵ])(?!\w)")
_MOVE_TONE = {
    (base, marked): unicodedata.normalize("NFC", base + unicodedata.normalize("NFD", marked)[1:])
    + unicodedata.normalize("NFD", marked)[0]
    for base in "ou"
    for marked in "áàảãạéèẻẽẹýỳỷỹỵ"
}


def fold(text: str) -> str:
    """Lower-case without diacritics: ``Đường`` → ``duong``, for text typed without accents."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def lower(text: str) -> str:
    """Lower-case NFC, with tone marks placed the new way (``hoá`` → ``hóa``)."""
    lowered = unicodedata.normalize("NFC", text).lower()
    return _OLD_TONE.sub(lambda m: _MOVE_TONE[(m[1], m[2])], lowered)


def has_marks(text: str) -> bool:
    """Whether the text was typed with Vietnamese diacritics (then they are kept when matching)."""
    return bool(_VIETNAMESE_MARKS.search(lower(text)))


def words(text: str) -> list[str]:
    """The words of lower-cased NFC text, punctuation dropped."""
    return _WORD.findall(text)
