"""Minutes → petitions: each petition with its words, place, voters, kind and answer; every other
line skipped with a reason.

How a document is read (the rules, not any one document's layout):
- Headings set the level of competence ("I. Kiến nghị thuộc thẩm quyền Trung ương") or a field
  ("Về lĩnh vực giao thông") for what follows; a voters heading ("Cử tri xã X đề nghị:") names
  the voters and place of the items under it.
- Table rows are one petition each: the content cell (by its header, else the cell that reads
  like a petition), the voters and place cells, the answer cell.
- List items (1. 1) a) - + • or a number glued to the text) and the paragraphs under a voters
  heading are petitions; a "TRẢ LỜI:" heading starts a written answer to the one above.
- Prose is read sentence by sentence: a sentence whose voters speak ("cử tri … đề nghị …") or
  that starts with an ask ("Đề nghị …", "Cần …") is a petition; a lead-in with a colon ("… như:")
  introduces a list whose items are separated by semicolons; a sentence that only explains the
  one before ("Vì thế, …", "Vấn đề này …") continues it; a lead-in or caption with no content of
  its own ("Cử tri kiến nghị tại buổi tiếp xúc") only names the voters.
- An answer sentence ("lãnh đạo UBND xã … giải trình …") answers the petitions before it that
  have none: on the spot when it says they were explained or answered at the meeting.
- A petition's place is the place its own words name, else its voters', else the last voters'
  place the document named, else the meeting's.
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from hoiam_intake.domain.items import normalise_text
from hoiam_intake.domain.legacy import repair_legacy
from hoiam_intake.domain.minutes.blocks import Block
from hoiam_intake.domain.minutes.places import first_address, places_in

IC = re.IGNORECASE


class Kind(StrEnum):
    """Ý kiến (an opinion: a view, praise or a concern with no ask) or kiến nghị (a petition)."""

    OPINION = "opinion"
    PETITION = "petition"


@dataclass(frozen=True, slots=True)
class Petition:
    text: str
    place: str | None
    voters: str | None
    kind: Kind
    answered_on_the_spot: bool = False
    answer: str | None = None
    level: str | None = None
    """central / province / commune when the document groups petitions by level."""
    section: str | None = None
    """The field heading it sits under ("Lĩnh vực giao thông"), if any."""


@dataclass(frozen=True, slots=True)
class Skipped:
    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class Split:
    petitions: tuple[Petition, ...]
    skipped: tuple[Skipped, ...]


# --- vocabulary ---------------------------------------------------------------------------------

_VOTERS = r"(?:bà con\s+)?(?:cử tri|người dân|nhân dân|bà con|công dân|ý kiến cử tri)"
_VOICE = (
    r"(?:đề nghị|kiến nghị|phản ánh|phản ảnh|đề xuất|mong muốn|mong mỏi|mong|yêu cầu|nêu|"
    r"quan tâm|bày tỏ|băn khoăn|cho rằng|bức xúc|có ý kiến|tham gia ý kiến|ý kiến|hỏi|lo lắng|"
    r"phấn khởi|nhất trí|đồng tình|hoan nghênh|tin tưởng|góp ý|thắc mắc|đề đạt)"
)
VOICED = re.compile(rf"(?<!\w){_VOTERS}(?!\w)[^.;:!?]{{0,90}}?(?<!\w){_VOICE}(?!\w)", IC)
MANY_OPINIONS = re.compile(
    r"^(?:nhiều|một số) ý kiến(?: của)?(?: cử tri)?(?: cũng)? (?:đề nghị|kiến nghị|phản ánh|"
    r"quan tâm|cho rằng|mong|đề xuất|yêu cầu)",
    IC,
)
FORWARDED = re.compile(
    r"(?<!\w)sẽ (?:được )?(?:chuyển|tổng hợp|trả lời|kiến nghị|phản ánh|báo cáo)(?!\w)", IC
)
_ASK = (
    r"đề nghị|kiến nghị|đề xuất|mong muốn|mong|yêu cầu|phản ánh|cần|sớm|xem xét|đầu tư|"
    r"nâng cấp|xây dựng|sửa chữa|hỗ trợ|tăng cường|kiểm tra|cấp|bố trí|nghiên cứu|tiếp tục|"
    r"giải quyết|khắc phục|xử lý|điều chỉnh|quan tâm|có chính sách|có giải pháp|có biện pháp|"
    r"chỉ đạo|tạo điều kiện|bổ sung|rà soát|mở rộng|lắp đặt|nạo vét|đẩy nhanh|ưu tiên|tháo gỡ|"
    r"thu hồi|công nhận|ban hành|sửa đổi|làm mới|làm lại|thay thế|hướng dẫn|đo đạc|cải tạo|"
    r"triển khai|hoàn thành|hoàn thiện|quy hoạch|giảm|tăng"
)
ASK_START = re.compile(rf"^(?:{_ASK})(?!\w)", IC)
ASK_ANYWHERE = re.compile(rf"(?<!\w)(?:{_ASK})(?!\w)", IC)
ISSUE_START = re.compile(
    r"^(?:tình trạng|việc|vấn đề|công tác|hệ thống|tuyến đường|đường|giá|chế độ|chính sách|"
    r"diện tích|dự án|trạm|cầu|chợ|trường|nhà|điện|nước)(?!\w)",
    IC,
)
OPINION_WORDS = re.compile(
    r"(?<!\w)(?:phấn khởi|nhất trí|đồng tình|tin tưởng|vui mừng|hoan nghênh|đánh giá cao|"
    r"bày tỏ sự|giá (?:điện|cả|xăng)[^.;]{0,30}tăng|tăng cao|áp lên đời sống)(?!\w)",
    IC,
)
OPINION_ASK = re.compile(
    r"(?<!\w)(?:đề nghị|kiến nghị|đề xuất|mong|cần|yêu cầu|xem xét|sớm|hỗ trợ)(?!\w)", IC
)
OPENER = re.compile(
    r"^(?:bên cạnh đó|ngoài ra|đặc biệt|mặt khác|đồng thời|trong đó|cùng với đó|"
    r"với tinh thần[^,]{0,40}|cụ thể|nhóm vấn đề khác[^,]{0,40})\s*,?\s*",
    IC,
)
CONTINUATION = re.compile(
    r"^(?:vấn đề này|việc này|vì thế|vì vậy|do đó|do vậy|hiện nay|tuy nhiên|nguyên nhân|"
    r"theo cử tri|cử tri (?:phản ánh|phán ánh|cho biết|nêu rõ)\s*,|trong khi|mặc dù|bởi vì)(?!\w)",
    IC,
)
CIRCUMSTANCE = re.compile(
    r"^(?:sau khi|tại|trong|qua|tiếp đó|sau đó|với tinh thần|phát biểu tại)(?!\w)", IC
)
ANSWERER = re.compile(
    r"(?<!\w)(?:lãnh đạo|chủ tịch|phó chủ tịch|đại biểu|tổ đại biểu|đại diện|ubnd|ủy ban|uỷ ban|"
    r"đồng chí|ông|bà(?! con)|bí thư|các ngành|ngành chức năng|phòng|sở|chính quyền|công an|"
    r"trưởng ban|thường trực|cơ quan|tổ đb)(?!\w)",
    IC,
)
ANSWER_VERB = re.compile(
    r"(?<!\w)(?:trả lời|giải trình|giải đáp|làm rõ|phúc đáp|tiếp thu|ghi nhận|giải thích)(?!\w)",
    IC,
)
EXPLAINED = re.compile(
    r"(?<!\w)(?:trả lời|giải trình|giải đáp|làm rõ|giải thích|trao đổi)(?!\w)", IC
)
REPORTED_ANSWER = re.compile(
    r"(?<!\w)(?:nghe|kết quả)(?!\w)[^.;]{0,60}?(?:trả lời|giải quyết)"
    r"(?:\s*,?\s*(?:trả lời|giải quyết))*",
    IC,
)
WRITTEN_ANSWER = re.compile(
    r"^(?:trả lời|ý kiến trả lời|nội dung trả lời|kết quả giải quyết)\s*:?\s*$", IC
)
AGENCY_ANSWER = re.compile(
    r"^(?![^:]*tại (?:buổi|hội nghị|cuộc))[^.:]{0,80}(?:phúc đáp|trả lời như sau|(?:sở|bộ|"
    r"công an|ủy ban nhân dân tỉnh|ubnd tỉnh)(?!\w)[^.:]{0,60}trả lời)[^.:]{0,20}:",
    IC,
)
LEVELS = (
    ("central", re.compile(r"trung ương|quốc hội|chính phủ|bộ, ngành", IC)),
    ("province", re.compile(r"cấp tỉnh|thành phố trực thuộc|ubnd tỉnh|ủy ban nhân dân tỉnh", IC)),
    ("commune", re.compile(r"cấp xã|cấp huyện|cấp cơ sở|xã, phường|phường, xã", IC)),
)
HEADING_WORDS = re.compile(r"thẩm quyền|lĩnh vực|nhóm vấn đề|phần\s+[IVX\d]", IC)
MARKER = re.compile(
    r"^\s*(?:(?:[IVXLC]{1,5}|[A-Za-zĐđ]|\d{1,4}(?:\.\d{1,3})*)\s*[.):/]|[-–—+•*●○■□▪►✓])\s*"
)
GLUED_NUMBER = re.compile(r"^\s*(\d{1,5})(?=\w)")
_GENERIC_WORDS = """
    tại buổi tiếp xúc hội nghị cuộc với đến tới đại biểu hđnd ubnd tỉnh huyện xã phường thành
    phố quốc hội cử tri người dân nhân dân bà con công dân có đã cũng tập trung kiến nghị ý
    kiến đề nghị phản ánh phản ảnh đề xuất nêu lên quan tâm bày tỏ mong muốn mong mỏi một số
    nhiều các những vấn đề nội dung lĩnh vực liên quan như sau về xoay quanh cụ thể thiết thực
    dân sinh đời sống bức xúc tâm tư nguyện vọng địa phương lượt khoảng và của được trong đó
    là gồm chủ yếu tham gia phát biểu hai trên địa bàn cấp ngành chức năng thẩm quyền giải
    quyết hiện nay sau khi nghe báo cáo thông tin đại diện đơn vị gửi kỳ họp nổi bật quan
    trọng hạ tầng tiếp tục nhiều nội dung các cấp cơ quan tổ đb trình lên nêu ra đặt ra này
    nếu thì mà
"""
_GENERIC = frozenset(_GENERIC_WORDS.split())
_ABBREVIATIONS = {"tp", "tx", "tt", "ths", "ts", "pgs", "gs", "ql", "đt", "km", "q", "p", "v.v"}
_NOISE = re.compile(r"\((?:xem thêm|chi tiết)[^)]*\)|\|\s*$", IC)


def _clean(text: str) -> str:
    repaired, _ = repair_legacy(text)
    return _NOISE.sub("", normalise_text(repaired)).strip(" |")


def _strip_marker(text: str) -> tuple[bool, str]:
    """(whether the text is a list item, the text without its number or bullet)."""
    match = MARKER.match(text)
    if match and len(text) > match.end():
        return True, text[match.end() :].strip()
    glued = GLUED_NUMBER.match(text)
    if glued and text[glued.end() : glued.end() + 1].isupper():
        return True, text[glued.end() :].strip()
    return False, text


def sentences(text: str) -> Iterator[str]:
    """`text` cut after ., !, ? or … when a capital or a digit follows (not after "TP." or "Q.")."""
    text = re.sub(r"…(?=[^\s,.;…])", "… ", text)
    start = 0
    for match in re.finditer(r"[.!?…]+[\"”)]?\s+", text):
        following = text[match.end() : match.end() + 1]
        before = re.search(r"(\S+)$", text[start : match.start() + 1])
        token = (before.group(1) if before else "").rstrip(".").lower()
        if not (following.isupper() or following.isdigit()):
            continue
        if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
            continue
        yield text[start : match.end()].strip()
        start = match.end()
    if text[start:].strip():
        yield text[start:].strip()


def _meaningful_words(text: str) -> int:
    """Lower-case words that are not the vocabulary every meeting report shares (names, numbers
    and places do not count): a lead-in or a caption has almost none."""
    without_places = text
    for start, end, _ in reversed(places_in(text)):
        without_places = without_places[:start] + without_places[end:]
    words = re.findall(r"[^\W\d_]+", without_places)
    return sum(1 for w in words if w[:1].islower() and w.lower() not in _GENERIC)


def voiced(text: str) -> re.Match[str] | None:
    """Voters who speak ("cử tri xã X đề nghị"), unless an answerer comes between them and the verb
    ("ý kiến của cử tri được lãnh đạo xã giải trình")."""
    match = VOICED.search(text)
    if match and ANSWERER.search(match.group(0)[len(_first_word(match.group(0))) :]) is None:
        return match
    many = MANY_OPINIONS.match(text)
    return many


def _first_word(text: str) -> str:
    return text.split(" ", 1)[0]


def _is_answer(text: str) -> bool:
    # "nghe … kết quả trả lời …" reports earlier answers: it answers nothing said at this meeting.
    told = REPORTED_ANSWER.sub(" ", text)
    if not (ANSWER_VERB.search(told) and ANSWERER.search(told)):
        return False
    found = voiced(text)
    # "Cử tri đề nghị lãnh đạo … giải trình" is a petition: the voters speak first; "… lãnh đạo
    # giải trình các nội dung người dân nêu" is an answer: the answerer speaks first.
    answered = ANSWER_VERB.search(text)
    return found is None or (answered is not None and answered.start() < found.start())


def _voters_phrase(text: str) -> tuple[str | None, str | None]:
    """The voters a text names ("Cử tri ấp Phú Thọ", "Cử tri Ngô Minh") and their place."""
    for match in re.finditer(r"(?<!\w)(?:bà con\s+)?cử tri\s+(?:hai\s+|2\s+)?", text, IC):
        rest = text[match.end() :]
        if re.match(r"(?:các|những)\s", rest, IC):
            continue  # "cử tri các thôn A, B, C": the voters of several places, none of them
        found = places_in(rest)
        if (found and found[0][0] == 0) or (
            found and found[0][0] <= 4 and rest[:4].strip() in {"tại", "ở"}
        ):
            address = first_address(rest[found[0][0] :])
            return f"Cử tri {address}", address
        name = re.match(r"((?:[A-ZĐ]\w*|[^\W\d_]*[A-ZĐÀ-Ỹ]\w*)(?:\s+[A-ZĐÀ-Ỹ]\w*){1,3})", rest)
        if name and name.group(1)[:1].isupper():
            return f"Cử tri {name.group(1)}", None
    circumstance = re.match(r"^(?:tại|ở)\s+", text, IC)
    if circumstance:
        address = first_address(text[circumstance.end() :].split(",")[0])
        if address:
            return f"Cử tri {address}", address
    return None, None


def _kind(text: str) -> Kind:
    if OPINION_WORDS.search(text) and not OPINION_ASK.search(text):
        return Kind.OPINION
    return Kind.PETITION


def _items(text: str) -> list[str]:
    """`text` cut at semicolons; a piece of one or two words (a date, "v.v") is not an item."""
    items: list[str] = []
    for piece in re.split(r"\s*;\s*", text):
        piece = piece.strip(" ,.;")
        if len(piece.split()) >= 3:
            items.append(piece)
        elif items and piece and not re.fullmatch(r"[\d/.\- ]+", piece):
            items[-1] = f"{items[-1]}; {piece}"
    return items


def _heading_level(text: str) -> str | None:
    for level, words in LEVELS:
        if words.search(text):
            return level
    return None


@dataclass
class _Draft:
    text: str
    place: str | None
    voters: str | None
    level: str | None
    section: str | None
    answer: str | None = None
    on_the_spot: bool = False
    answered: bool = False

    def done(self, meeting_place: str | None) -> Petition:
        return Petition(
            text=self.text,
            place=self.place or meeting_place,
            voters=self.voters,
            kind=_kind(self.text),
            answered_on_the_spot=self.on_the_spot,
            answer=self.answer,
            level=self.level,
            section=self.section,
        )


@dataclass
class _Reader:
    meeting_place: str | None
    drafts: list[_Draft] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    level: str | None = None
    section: str | None = None
    voters: str | None = None
    voters_place: str | None = None
    context_place: str | None = None
    under_voters_heading: bool = False
    written_answer: bool = False

    # --- what a block or sentence adds --------------------------------------------------------

    def petition(self, text: str, *, voters: str | None, place: str | None) -> _Draft:
        own = first_address(text)
        around = place or self.voters_place
        if own and around and re.match(r"(?:tỉnh|thành phố|tp\.?)\s", own, IC):
            own = (
                None  # a province named as a topic ("ranh giới tỉnh…"): the voters' place is finer
            )
        draft = _Draft(
            text=text,
            place=own or around or self.context_place,
            voters=voters or self.voters,
            level=self.level,
            section=self.section,
        )
        self.drafts.append(draft)
        return draft

    def answer(self, text: str, *, on_the_spot: bool) -> None:
        for draft in reversed(self.drafts):
            if draft.answered:
                break
            draft.answered = True
            draft.answer = text
            draft.on_the_spot = on_the_spot
        self.skipped.append(Skipped(text, "answer"))

    def skip(self, text: str, reason: str) -> None:
        self.skipped.append(Skipped(text, reason))

    def note_voters(self, text: str) -> tuple[str | None, str | None]:
        voters, place = _voters_phrase(text)
        if place:
            self.context_place = place
        return voters, place

    # --- blocks ---------------------------------------------------------------------------------

    def read(self, block: Block) -> None:
        if block.is_row:
            self.read_row(block)
            return
        text = _clean(block.text)
        if not text:
            return
        listed, body = _strip_marker(text)
        if self.heading(text, body, listed=listed):
            return
        if WRITTEN_ANSWER.match(body):
            self.written_answer = True
            self.under_voters_heading = False
            self.skip(text, "answer heading")
            return
        if AGENCY_ANSWER.match(body) and self.drafts:
            self.written(body)
            self.written_answer = True
            return
        if self.written_answer and not (listed or voiced(body)):
            self.written(body)
            return
        self.written_answer = False
        if self.voters_heading(body):
            return
        if listed or self.under_voters_heading:
            self.read_item(body)
            return
        self.read_prose(body)

    def written(self, text: str) -> None:
        last = self.drafts[-1] if self.drafts else None
        if last is None:
            self.skip(text, "answer without a petition")
            return
        last.answered = True
        last.answer = f"{last.answer}\n{text}" if last.answer else text
        self.skip(text, "written answer")

    def heading(self, text: str, body: str, *, listed: bool) -> bool:
        """A level or field heading: short, no sentence end, no voters speaking."""
        if len(body.split()) > 16 or body.endswith((".", ";")) or voiced(body):
            return False
        level = _heading_level(body) if HEADING_WORDS.search(body) else None
        if level is not None:
            self.level, self.section = level, None
            self.skip(text, "level heading")
            return True
        if (listed and re.match(r"^(?:về\s+)?(?:lĩnh vực|nhóm)\b", body, IC)) or re.match(
            r"^về\s+(?:lĩnh vực\s+)?[^\W\d_]+(?:\s+[^\W\d_]+){0,5}\s*:?$", body, IC
        ):
            self.section = body.rstrip(":").strip()
            self.skip(text, "field heading")
            return True
        return False

    def voters_heading(self, body: str) -> bool:
        """ "Cử tri xã X, huyện Y đề nghị:" — the voters of the items that follow."""
        if not body.endswith(":") or len(body.split()) > 25:
            return False
        if not voiced(body):
            return False
        self.voters, self.voters_place = self.note_voters(body)
        self.under_voters_heading = True
        self.skip(body, "voters heading")
        return True

    def read_item(self, body: str) -> None:
        if _is_answer(body):
            self.answer(body, on_the_spot=_on_the_spot(body))
            return
        if _meaningful_words(body) < 2:
            self.skip(body, "no petition words")
            return
        voters, place = self.note_voters(body)
        for item in _items(body) or [body]:
            self.petition(item, voters=voters, place=place)

    def read_row(self, block: Block) -> None:
        cells = [(header.lower(), _clean(value)) for header, value in block.cells]
        answer = next(
            (v for h, v in cells if "trả lời" in h or "giải trình" in h or AGENCY_ANSWER.match(v)),
            None,
        )
        content_cells = [
            (h, v) for h, v in cells if v != answer and not re.fullmatch(r"[\dIVXivx.]+", v)
        ]
        by_header = [
            v
            for h, v in content_cells
            if re.search(r"nội dung|ý kiến|kiến nghị", h) and _meaningful_words(v) >= 2
        ]
        talking = [v for _, v in content_cells if voiced(v) or ASK_ANYWHERE.search(v)]
        content = (by_header or sorted(talking, key=len, reverse=True) or [""])[0]
        if not content:
            level = _heading_level(block.text)
            if level and HEADING_WORDS.search(block.text):
                self.level = level
                self.skip(block.text, "level heading")
            else:
                self.skip(block.text, "row without a petition")
            return
        if HEADING_WORDS.search(content) and len(content.split()) <= 16 and _heading_level(content):
            self.level = _heading_level(content)
            self.skip(content, "level heading")
            return
        voters_cell = next((v for h, v in cells if "cử tri" in h and v != content), None)
        place_cell = next(
            (
                v
                for h, v in cells
                if re.search(r"địa bàn|địa phương|đơn vị|nơi|xã|phường", h)
                and v != content
                and len(v.split()) <= 12
            ),
            None,
        )
        voters, voters_place = _voters_phrase(voters_cell or content)
        if voters is None and voters_cell:
            voters = voters_cell
        place = (
            first_address(place_cell or "")
            or (first_address(voters_cell) if voters_cell else None)
            or voters_place
        )
        draft = self.petition(content, voters=voters, place=place)
        if answer:
            draft.answered, draft.answer = True, answer

    def read_prose(self, body: str) -> None:
        listing = False
        current: _Draft | None = None
        outer = (self.voters, self.voters_place)
        for sentence in sentences(body):
            for part in _opinion_then_ask(sentence):
                current, listing = self.read_sentence(part, current=current, listing=listing)
        if current is not None:
            # Voters named inside a petition speak for that paragraph only.
            self.voters, self.voters_place = outer

    def read_sentence(
        self, sentence: str, *, current: _Draft | None, listing: bool
    ) -> tuple[_Draft | None, bool]:
        if FORWARDED.search(sentence) and not voiced(sentence[:40]):
            self.skip(sentence, "forwarded to the competent bodies")
            return current, listing
        if _is_answer(sentence):
            self.answer(sentence, on_the_spot=_on_the_spot(sentence))
            return None, False
        lead, colon, rest = sentence.partition(":")
        introduces = voiced(lead) or re.search(
            r"(?<!\w)(?:như|vấn đề|nội dung|sau|đề nghị|kiến nghị)\s*$", lead, IC
        )
        if colon and rest.strip() and introduces and (";" in rest or _meaningful_words(lead) <= 2):
            voters, place = self.note_voters(lead)
            drafts = [self.petition(item, voters=voters, place=place) for item in _items(rest)]
            self.skip(lead, "lead-in")
            return (drafts[-1] if drafts else current), True
        if CONTINUATION.match(sentence) and current is not None:
            current.text = f"{current.text} {sentence}"
            return current, listing
        spoken = voiced(sentence)
        opened = OPENER.sub("", sentence)
        if spoken is None and ANSWERER.match(opened):
            self.skip(sentence, "what the delegates or officials did")
            return current, listing
        asks = (
            ASK_START.match(opened)
            or MANY_OPINIONS.match(opened)
            or (opened != sentence and ASK_ANYWHERE.search(opened))
            or (
                current is not None
                and re.search(r"đề nghị|kiến nghị|đề xuất|yêu cầu", sentence, IC)
            )
        )
        if spoken is None and not asks and not listing:
            self.note_voters(sentence)
            self.skip(sentence, "no petition words")
            return current, listing
        if spoken is not None and _meaningful_words(sentence) <= 2:
            self.voters, self.voters_place = self.note_voters(sentence)
            self.skip(sentence, "lead-in or caption without content")
            return current, listing
        if spoken is None and not asks and _meaningful_words(sentence) < 3:
            self.skip(sentence, "no petition words")
            return current, listing
        text = sentence
        voters, place = None, None
        if spoken is not None and spoken.start() > 0 and CIRCUMSTANCE.match(sentence):
            voters, place = _voters_phrase(sentence)
            text = sentence[spoken.start() :]
        found_voters, found_place = _voters_phrase(text)
        voters, place = found_voters or voters, found_place or place
        if voters:
            self.voters, self.voters_place = voters, place
        drafts = [self.petition(item, voters=voters, place=place) for item in _items(text)]
        return (drafts[-1] if drafts else current), listing


def _on_the_spot(text: str) -> bool:
    """Explained or answered at the meeting, not sent on for someone else to answer later."""
    explained = EXPLAINED.search(text)
    if explained is None or "bằng văn bản" in text.lower():
        return False
    return not re.search(r"(?<!\w)(?:chuyển|sẽ)(?!\w)", text[: explained.start()], IC)


def _opinion_then_ask(sentence: str) -> list[str]:
    """ "Cử tri phấn khởi …, đồng thời đề nghị …": the opinion, then the ask, as two parts (the
    ask keeps the voters who made it)."""
    match = re.search(
        r",\s*đồng thời\s+(?=(?:đề nghị|kiến nghị|mong|yêu cầu|đề xuất))", sentence, IC
    )
    if not match or not OPINION_WORDS.search(sentence[: match.start()]):
        return [sentence]
    head, tail = sentence[: match.start()], sentence[match.end() :]
    voters, _ = _voters_phrase(head)
    return [head, f"{voters} {tail}" if voters else tail]


def split_minutes(blocks: Sequence[Block], *, meeting_place: str | None = None) -> Split:
    """Every petition of `blocks` in order, and every line that is not one with the reason."""
    reader = _Reader(meeting_place=meeting_place)
    kept, titles = _without_titles(_joined(blocks))
    reader.skipped.extend(Skipped(title.text, "title of the next paragraph") for title in titles)
    if kept and _is_title(kept[0]):
        reader.note_voters(kept[0].text)
        reader.skip(kept[0].text, "document title")
        kept = kept[1:]
    for block in kept:
        reader.read(block)
    return Split(
        petitions=tuple(draft.done(meeting_place) for draft in reader.drafts),
        skipped=tuple(reader.skipped),
    )


def _is_title(block: Block) -> bool:
    """A document's first line as a headline: short, no sentence end, not a list item or an ask."""
    text = _clean(block.text)
    listed, body = _strip_marker(text)
    return (
        not block.is_row
        and not listed
        and 0 < len(body.split()) <= 20
        and not body.endswith((".", "!", "?", ";", ":", "…"))
        and not ASK_START.match(body)
    )


def _joined(blocks: Sequence[Block]) -> list[Block]:
    """A paragraph that starts in lower case continues the one above (a line broken in a file)."""
    joined: list[Block] = []
    for block in blocks:
        text = block.text.strip()
        if (
            joined
            and not block.is_row
            and not joined[-1].is_row
            and text[:1].islower()
            and not MARKER.match(text)
            and not joined[-1].text.rstrip().endswith((".", ":", ";", "!", "?"))
        ):
            joined[-1] = replace(joined[-1], text=f"{joined[-1].text.rstrip()} {text}")
        else:
            joined.append(block)
    return joined


def _without_titles(blocks: list[Block]) -> tuple[list[Block], list[Block]]:
    """A line that the next paragraph repeats and continues ("Câu hỏi: …" above its full text) is
    that paragraph's title, not a petition of its own: (the blocks kept, the titles)."""
    kept: list[Block] = []
    titles: list[Block] = []
    for i, block in enumerate(blocks):
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        if following is not None and not block.is_row and not following.is_row:
            title = re.sub(
                r"^(?:câu hỏi|nội dung|tiêu đề)\s*:\s*", "", block.text.strip(), flags=IC
            )
            title = re.sub(r"[;,.]?\s*\d{1,2}/\d{1,2}/\d{2,4}\s*$", "", title).rstrip(" ;,.")
            if len(title) > 20 and following.text.strip().startswith(title):
                titles.append(block)
                continue
        kept.append(block)
    return kept, titles
