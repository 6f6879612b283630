"""Vietnamese text from old systems: declared charsets (windows-1258) and legacy font encodings.

Offices still produce text typed with the TCVN3 (ABC, ".VnTime" fonts) and VNI keyboards. Both
put Vietnamese letters on the upper half of an 8-bit code page, so a mail client or a CSV export
labels the bytes windows-1252 or ISO-8859-1 and a reader sees "Ph¶i söa ®­êng" or "Vieät Nam".
This module detects such text and converts it to Unicode; callers keep the original bytes.

Tables written from the public descriptions of the encodings:
- TCVN3 (TCVN 5712:1993, VN3): one byte per precomposed lower-case letter; tones in the order
  grave, hook, tilde, acute, dot below. Capitals with tones live in a separate "H" font with the
  same codes, so only the seven capitals Ă Â Đ Ê Ô Ơ Ư have bytes of their own.
- VNI Windows: a base letter followed by one byte that carries the diacritics (e + ä → ệ), with
  đ, ơ, ư and the five toned i's as single bytes.
"""

import codecs
import re
import unicodedata

# --- TCVN3 --------------------------------------------------------------------------------------

_TCVN3_BYTES = (
    "µ¸¶·¹" "¨»¾¼½Æ" "©ÇÊÈÉË" "®"
    "ÌÐÎÏÑ" "ªÒÕÓÔÖ"
    "×ÝØÜÞ"
    "ßãáâä" "«åèæçé" "¬êíëìî"
    "ïóñòô" "­õøö÷ù"
    "úýûüþ"
    "¡¢§£¤¥¦"
)  # fmt: skip
_TCVN3_UNICODE = (
    "àáảãạ" "ăằắẳẵặ" "âầấẩẫậ" "đ"
    "èéẻẽẹ" "êềếểễệ"
    "ìíỉĩị"
    "òóỏõọ" "ôồốổỗộ" "ơờớởỡợ"
    "ùúủũụ" "ưừứửữự"
    "ỳýỷỹỵ"
    "ĂÂĐÊÔƠƯ"
)  # fmt: skip
_TCVN3 = str.maketrans(_TCVN3_BYTES, _TCVN3_UNICODE)


def from_tcvn3(text: str) -> str:
    """TCVN3 text read as Latin-1/windows-1252 → Unicode (NFC)."""
    return unicodedata.normalize("NFC", text.translate(_TCVN3))


# --- VNI ----------------------------------------------------------------------------------------

_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
_CIRCUMFLEX, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"

# The byte after a vowel → the combining marks it stands for (lower case; upper case alike).
_VNI_TONES = {"ø": _GRAVE, "ù": _ACUTE, "û": _HOOK, "õ": _TILDE, "ï": _DOT}
_VNI_CIRCUMFLEX = {
    "â": "", "à": _GRAVE, "á": _ACUTE, "å": _HOOK, "ã": _TILDE, "ä": _DOT,
}  # fmt: skip
_VNI_BREVE = {"ê": "", "è": _GRAVE, "é": _ACUTE, "ú": _HOOK, "ü": _TILDE, "ë": _DOT}
# Letters that are a single byte in VNI.
_VNI_SINGLE = {
    "ñ": "đ", "Ñ": "Đ", "ô": "o" + _HORN, "Ô": "O" + _HORN, "ö": "u" + _HORN, "Ö": "U" + _HORN,
    "ì": "ì", "Ì": "Ì", "í": "í", "Í": "Í", "æ": "ỉ", "Æ": "Ỉ", "ó": "ĩ", "Ó": "Ĩ",
    "ò": "ị", "Ò": "Ị",
}  # fmt: skip


def _vni_marks(base: str, mark: str) -> str | None:
    """The combining marks `mark` adds to the vowel `base`, or None when it does not apply."""
    low, m = base.lower(), mark.lower()
    if low in "aeo" and m in _VNI_CIRCUMFLEX:
        return _CIRCUMFLEX + _VNI_CIRCUMFLEX[m]
    if low == "a" and m in _VNI_BREVE:
        return _BREVE + _VNI_BREVE[m]
    if low in "aeiouy" and m in _VNI_TONES:
        return _VNI_TONES[m]
    return None


def from_vni(text: str) -> str:
    """VNI Windows text read as Latin-1/windows-1252 → Unicode (NFC)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if char in "ôÔöÖ" and nxt.lower() in _VNI_TONES:
            out.append(_VNI_SINGLE[char] + _VNI_TONES[nxt.lower()])
            i += 2
            continue
        if char.lower() in "aeiouy" and nxt:
            marks = _vni_marks(char, nxt)
            if marks is not None:
                out.append(char + marks)
                i += 2
                continue
        out.append(_VNI_SINGLE.get(char, char))
        i += 1
    return unicodedata.normalize("NFC", "".join(out))


# --- detection ----------------------------------------------------------------------------------

# Letters no Western code page has (â, ê, ô are in Latin-1, so they prove nothing).
_VIETNAMESE_ONLY = set("ăđĩũơưĂĐĨŨƠƯ") | {chr(c) for c in range(0x1EA0, 0x1EFA)}
_WORD = re.compile(r"[^\W\d_]+")
_INITIALS = (
    "ngh", "ng", "gh", "gi", "kh", "nh", "ph", "th", "tr", "ch", "qu",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
)  # fmt: skip
_FINALS = ("ch", "ng", "nh", "c", "m", "n", "p", "t", "i", "y", "o", "u", "")
# The vowel cores a syllable can have (its final i/y/o/u is a final, above): a shape this
# strict tells a right conversion ("phường") from a wrong one ("phửụứng": u-ư-ơ is no core).
_NUCLEI = frozenset((
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y",
    "ia", "iê", "yê", "ua", "uô", "ưa", "ươ", "oa", "oă", "oe", "uâ", "uê", "uy", "uơ", "oo",
    "uya", "uyê",
))  # fmt: skip


def _base(letter: str) -> str:
    """The letter without tone marks, keeping the vowel shape (ơ, ư, â...)."""
    decomposed = unicodedata.normalize("NFD", letter)
    kept = "".join(c for c in decomposed if c not in (_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT))
    return unicodedata.normalize("NFC", kept)


def is_vietnamese_syllable(word: str) -> bool:
    """Whether `word` has the shape of one Vietnamese syllable (initial, vowels, final)."""
    plain = "".join(_base(c) for c in word.lower())
    for initial in _INITIALS:
        if not plain.startswith(initial):
            continue
        rest = plain[len(initial) :]
        for final in _FINALS:
            if rest.endswith(final) and rest[: len(rest) - len(final)] in _NUCLEI:
                return True
    return False


def _score(text: str) -> tuple[int, int]:
    """(Vietnamese-looking words with a Vietnamese-only letter, words that look like nothing)."""
    good = bad = 0
    for word in _WORD.findall(text):
        if is_vietnamese_syllable(word):
            if any(c in _VIETNAMESE_ONLY for c in word) or not word.isascii():
                good += 1
        elif not word.isascii():
            bad += 1
    return good, bad


def repair_legacy(text: str) -> tuple[str, str | None]:
    """Convert `text` from TCVN3 or VNI where that is what it is; returns (text, encoding used).

    Old-font text reaches us as Unicode too: pasted from a .VnTime document into the web form,
    Zalo, Messenger or a UTF-8 mail ("KhÈn tr\u00ad¬ng kÐo ®\u00adêng d©y ®iÖn"), often below
    a line the citizen typed in Unicode. So a line that holds Vietnamese-only Unicode letters is
    kept as it is (it was decoded right; within a line the old font's letters cannot be told
    from Unicode ones: "xã" is also TCVN3 for "xó"), and every other line is judged alone. A
    conversion is kept only when it turns more words into Vietnamese syllables, leaves no more
    unreadable words than the text had, and makes at least five in six of its accented words
    Vietnamese syllables. Converted text holds Vietnamese-only letters, so the function is
    idempotent.
    """
    if not text or text.isascii():
        return text, None
    if not any(c in _VIETNAMESE_ONLY for c in text):
        return _repair_stretch(text)
    found: str | None = None
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if not any(c in _VIETNAMESE_ONLY for c in line):
            lines[index], encoding = _repair_stretch(line)
            found = found or encoding
    return "".join(lines), found


def _repair_stretch(text: str) -> tuple[str, str | None]:
    """`repair_legacy` of a text without any Vietnamese-only Unicode letter."""
    if not text or text.isascii():
        return text, None
    good, bad = _score(text)
    best: tuple[str, str | None] = (text, None)
    best_key = (good - bad, good)
    for name, convert in (("tcvn3", from_tcvn3), ("vni", from_vni)):
        converted = convert(text)
        c_good, c_bad = _score(converted)
        key = (c_good - c_bad, c_good)
        # Most words must come out Vietnamese: French or German text has words that turn into
        # syllables by accident, never mostly.
        mostly = c_good >= 2 and c_bad * 5 <= c_good
        if mostly and c_good > good and c_bad <= bad and key > best_key:
            best, best_key = (converted, name), key
    return best


# --- declared charsets --------------------------------------------------------------------------

_WESTERN = {"iso8859-1", "cp1252", "ascii", "latin-1"}


def text_codec(charset: str) -> str | None:
    """Python's name of the text encoding `charset` names; None for an unknown name and for
    codecs that are no text encoding (rot13, base64, zlib: `bytes.decode` refuses them)."""
    try:
        info = codecs.lookup(charset.strip().strip('"'))
    except LookupError:
        return None
    # CodecInfo marks the bytes-to-bytes and str-to-str transforms; there is no public flag.
    return info.name if getattr(info, "_is_text_encoding", True) else None


def decode_declared(data: bytes, charset: str | None) -> tuple[str, str | None]:
    """Bytes in their declared charset → NFC text with legacy encodings repaired.

    Returns (text, legacy encoding found). windows-1258 decodes to base letters plus combining
    tones, hence NFC. An unknown or wrong charset never fails: UTF-8 is tried, then windows-1252
    (every byte decodes), and the legacy check runs on Western results.
    """
    name = (charset or "").strip().strip('"').lower()
    codec = (text_codec(name) or "unknown") if name else "ascii"
    text: str | None = None
    if codec != "unknown":
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            text = None
    if text is None:
        try:
            text, codec = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, codec = data.decode("cp1252", errors="replace"), "cp1252"
    text = unicodedata.normalize("NFC", text)
    if codec in _WESTERN:
        return repair_legacy(text)
    return text, None
