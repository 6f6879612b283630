"""The words of the reports (Vietnamese: they are the offices' documents) and the dates and
places as an administrative document writes them."""

from datetime import date

from hoiam_console.domain.compiling import Compilation, Level, ReportHeading, SessionSheet
from hoiam_console.domain.results import AnswerKind
from hoiam_shared.clock import vietnam_date

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

LEVEL_TITLES: dict[Level, str] = {
    "central": "Kiến nghị thuộc thẩm quyền Trung ương",
    "province": "Kiến nghị thuộc thẩm quyền của tỉnh",
    "commune": "Kiến nghị thuộc thẩm quyền của xã, phường",
    "unclassified": "Kiến nghị chưa xác định thẩm quyền",
}
LEVEL_SHORT: dict[Level, str] = {
    "central": "Trung ương",
    "province": "Tỉnh",
    "commune": "Xã",
    "unclassified": "Chưa xác định",
}
KIND_WORDS: dict[AnswerKind, str] = {
    "regulation": "Ban hành văn bản, chính sách",
    "inspection": "Kiểm tra, thanh tra",
    "explanation": "Giải thích, cung cấp thông tin",
    "roadmap": "Có lộ trình giải quyết",
    "other": "Khác",
}
VERDICT_WORDS = {"satisfactory": "Đạt yêu cầu", "unsatisfactory": "Chưa đạt yêu cầu"}
FOLLOW_UP_WORDS = {"send_back": "Chuyển lại cơ quan giải quyết", "question": "Đưa vào chất vấn"}
STATUS_WORDS = {
    "received": "Đã tiếp nhận",
    "routed": "Đã chuyển cơ quan giải quyết",
    "triage": "Chờ phân loại",
    "acknowledged": "Cơ quan đã nhận",
    "in_progress": "Đang giải quyết",
    "resolved": "Đã trả lời",
    "closed": "Đã kết thúc",
    "rejected": "Từ chối",
    "reopened": "Mở lại",
}
ROMAN = ("I", "II", "III", "IV", "V", "VI")


def day(on: date | None) -> str:
    return on.strftime("%d/%m/%Y") if on else ""


def long_day(place: str, on: date) -> str:
    """ "Vĩnh Long, ngày 02 tháng 12 năm 2026" (day and month with two digits, as written)."""
    return f"{place}, ngày {on.day:02d} tháng {on.month:02d} năm {on.year}"


def sentence(text: str) -> str:
    """The minutes' words as a report's sentence: its first letter upper case."""
    return text[:1].upper() + text[1:]


def status_word(status: str | None) -> str:
    return STATUS_WORDS.get(status or "", status or "")


def report_date(sheet: SessionSheet, compilation: Compilation) -> date:
    """The report's date when none is given: the lock's day, else the last meeting's, else the
    session's opening (never the day it is printed: the same data, the same document)."""
    if compilation.locked is not None:
        return vietnam_date(compilation.locked.at)
    if sheet.meetings:
        return max(m.held_on for m in sheet.meetings)
    return sheet.opens_on


def heading_of(
    sheet: SessionSheet, compilation: Compilation, given: ReportHeading | None
) -> ReportHeading:
    """`given` with every missing field drawn from the session."""
    given = given or ReportHeading()
    province = sheet.province_name or ""
    council = f"HĐND TỈNH {province.upper()}".strip() if province else "HỘI ĐỒNG NHÂN DÂN"
    return ReportHeading(
        parent=given.parent or council,
        issuer=given.issuer or "THƯỜNG TRỰC HĐND",
        number=given.number or "      /BC-HĐND",
        place=given.place or province or "……",
        on=given.on or report_date(sheet, compilation),
        author=given.author or given.issuer or "Thường trực HĐND",
    )


def source_line(voters: str | None, place: str | None, meeting: str | None, on: date | None) -> str:
    """Where a petition came from, as a report writes it after the petition."""
    who = voters or (f"Cử tri {place}" if place else "Cử tri")
    if place and voters and place.casefold() not in voters.casefold():
        who = f"{who}, {place}"
    at = f"hội nghị tiếp xúc cử tri tại {meeting}" if meeting else "hội nghị tiếp xúc cử tri"
    return f"{who} ({at}{', ngày ' + day(on) if on else ''})"
