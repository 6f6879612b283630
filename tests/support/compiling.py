"""The compilation store in memory, held to the Mongo adapter's answers by one contract suite
(tests/integration/test_console_compilations_store.py)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid5

from hoiam_console.domain.compiling import (
    Adjusted,
    LockEvent,
    MeetingInfo,
    SessionItem,
    SessionSheet,
)
from hoiam_console.domain.results import Evaluation
from hoiam_shared.events import (
    AreaRef,
    BodyRef,
    CategoryRef,
    Channel,
    Citizen,
    Event,
    FeedbackReceived,
    FeedbackRouted,
    FeedbackText,
    Location,
    MeetingPetition,
    Origin,
    OriginKind,
    ResolvedLocation,
    Status,
    StatusChanged,
)


class InMemoryCompilations:
    def __init__(self) -> None:
        self.adjusted: dict[str, dict[int, Adjusted]] = {}
        self.locks: dict[str, dict[int, LockEvent]] = {}
        self.evaluated: dict[str, dict[int, Evaluation]] = {}

    async def prepare(self) -> None:
        return None

    async def adjustments(self, session_id: str) -> list[Adjusted]:
        found = self.adjusted.get(session_id, {})
        return [found[seq] for seq in sorted(found)]

    async def add_adjustment(self, session_id: str, adjusted: Adjusted) -> bool:
        log = self.adjusted.setdefault(session_id, {})
        if adjusted.seq in log:
            return False
        log[adjusted.seq] = adjusted
        return True

    async def lock_events(self, session_id: str) -> list[LockEvent]:
        found = self.locks.get(session_id, {})
        return [found[seq] for seq in sorted(found)]

    async def add_lock_event(self, session_id: str, event: LockEvent) -> bool:
        log = self.locks.setdefault(session_id, {})
        if event.seq in log:
            return False
        log[event.seq] = event
        return True

    async def evaluations(self, session_id: str) -> list[Evaluation]:
        found = self.evaluated.get(session_id, {})
        return [found[seq] for seq in sorted(found)]

    async def add_evaluation(self, session_id: str, evaluation: Evaluation) -> bool:
        log = self.evaluated.setdefault(session_id, {})
        if evaluation.seq in log:
            return False
        log[evaluation.seq] = evaluation
        return True


# --- a session of real petitions -----------------------------------------------------------
# The texts are real, quoted from the stored copies in services/intake/data/minutes (the source
# of each is named beside it); the session, meetings, bodies and dates around them are the
# tests' own scaffolding.

VINHPHUC = "https://vinhphuc.gov.vn/ct/cms/congdan/khieunaitc/Lists/NghienCuuTraoDoi/View_Detail.aspx?Page=180"
TANMY = "https://hdndtuyenquang.gov.vn/dai-bieu-voi-cu-tri/tra-loi-y-kien/dia-phuong/xem-chi-tiet-624.html"
PHULOC = "https://huengaynay.vn/chinh-tri-xa-hoi/theo-dong-thoi-su/cu-tri-cac-xa-phu-loc-hung-loc-loc-an-kien-nghi-nhieu-van-de-160113.html"
BINHDUONG = "https://app.hdnd.vn/kien-nghi-cu-tri?page=293"
TUTHINH = "https://hdndtuyenquang.gov.vn/dai-bieu-voi-cu-tri/tra-loi-y-kien/dia-phuong/son-duong/xa-tu-thinh/xem-chi-tiet-92.html"
TANTRAO = "https://hdndtuyenquang.gov.vn/dai-bieu-voi-cu-tri/tra-loi-y-kien/dia-phuong/son-duong/xa-tan-trao/xem-chi-tiet-2042.html"

DEN_GIAO_THONG = (
    "Cử tri phường Hùng Vương (thị xã Phúc Yên) đề nghị điều chỉnh lại hệ thống tín hiệu đèn "
    "giao thông đoạn đường Lạc Long Quân đi Quốc lộ 2, vì nguy cơ không an toàn"
)  # VINHPHUC
QUOC_LO_23 = (
    "đề nghị cho nâng cấp tuyến đường Quốc lộ 23 chạy từ ngã ba cây Si Thanh Tước qua thôn Phú "
    "Thứ xã Tiền Châu ra Quốc lộ 2, hiện nay đã hư hỏng nặng."
)  # VINHPHUC
CAU_QUA_SUOI = (
    "Cử tri huyện Tam Đảo đề nghị UBND tỉnh quan tâm đầu tư xây dựng các cầu qua suối trên "
    "tuyến giao thông tỉnh lộ, huyện lộ và đường liên xã đã bị hư hỏng."
)  # VINHPHUC, the page's one-line question
CAU_QUA_SUOI_DAI_DINH = (
    "Cử tri huyện Tam Đảo đề nghị UBND tỉnh quan tâm đầu tư xây dựng các cầu qua suối trên "
    "tuyến giao thông tỉnh lộ, huyện lộ và đường liên xã đã bị hư hỏng, đặc biệt là đập tràn "
    "qua suối Đại Điền, xã Đại Đình thuộc tuyến giao thông từ Đại Đình đi Đồng Tĩnh - Tam Dương."
)  # VINHPHUC, the same petition in full
TINH_LO_307 = (
    "Cử tri thị trấn Hoa Sơn, Sơn Đông, Triệu Đề (Lập Thạch) đề nghị tỉnh có chủ trương sửa "
    "chữa, nâng cấp tuyến đường Tỉnh lộ 307, đoạn từ xã Liễn Sơn đi xã Thái Hòa hiện đã xuống cấp"
)  # VINHPHUC
CAU_PHU_HAU = (
    "đầu tư xây dựng cầu Phú Hậu, xã Sơn Đông tạo thuận tiện giao thông với huyện Vĩnh Tường "
    "và tỉnh Phú Thọ."
)  # VINHPHUC
KHUON_THAM = "Nâng cấp tuyến đường vào thôn Khuôn Thẳm."  # TANMY
# PHULOC (an opinion)
TIN_TUONG = "cử tri bày tỏ sự tin tưởng và vui mừng trước những kết quả mà thành phố đạt được."

KHUON_THAM_ANSWER = (
    "Tuyến đường từ trung tâm xã Tân Mỹ đi thôn Khuôn Thẳm có chiều dài khoảng 2km, trong đó "
    "0,5km đoạn cuối tuyến đã được bê tông hóa, còn lại 1,5km là đường đất chưa được đầu tư nhựa "
    "hóa hoặc bê tông, giao thông đi lại khó khăn. Đề nghị của cử tri là chính đáng, tuy nhiên do "
    "điều kiện ngân sách địa phương còn hạn hẹp nên thời điểm hiện tại chưa thể bố trí được nguồn "
    "kinh phí để đầu tư xây dựng công trình."
)  # TANMY: an explanation only
DT746_ANSWER = (
    "Sở Giao thông vận tải xin phúc đáp như sau: Đoạn đường từ cầu Tân khánh đến cống Hố Đại "
    "(Km3+100 ÷ Km3+500) thuộc dự án nâng cấp, mở rộng đường ĐT.746 đoạn từ cầu Tân Khánh đến "
    "dốc Cây Quéo được đầu tư xây dựng theo phương thức ngân sách tỉnh chi trả kinh phí đền bù, "
    "giải phóng mặt bằng; Tổng Công ty Becamex IDC là Chủ đầu tư phần xây dựng công trình từ "
    "nguồn vốn của đơn vị. Hiện Chủ đầu tư dự án đang tiến hành đổ bó vĩa vĩa hè và trải cấp phối "
    "đá dăm 0x4 đoạn đường từ cầu Tân khánh đến cống Hố Đại, dự kiến sẽ thảm nhựa trong tháng 12 "
    "năm 2017."
)  # BINHDUONG: a roadmap with a date
TUAN_TRA_ANSWER = (
    "Công an tỉnh trả lời: Trong năm 2017, Công an tỉnh đã tổ chức được 619 ca tuần tra kiểm soát "
    "giao thông trên tuyến Quốc lộ 13, với 3.743 lượt cán bộ chiến sỹ tham gia, phát hiện và lập "
    "biên bản 5.757 trường hợp vi phạm"
)  # BINHDUONG: an inspection
DIEN_ANSWER = (
    "Ý kiến cử tri đề nghị đầu tư xây dựng đường điện thắp sáng là cần thiết. Tuy nhiên, do nguồn "
    "ngân sách còn khó khăn, chưa đáp ứng ngay được nhu cầu của nhân dân. Tiếp thu ý kiến của cử "
    "tri, Ủy ban nhân dân tỉnh giao Ủy ban nhân dân huyện Sơn Dương xem xét, nghiên cứu việc đầu "
    "tư xây dựng đường điện nêu trên, sớm đáp ứng nguyện vọng của nhân dân và đảm bảo an toàn "
    "giao thông trên tuyến đường."
)  # TUTHINH: an explanation only
TRUONG_ANSWER = (
    "Đề nghị của cử tri là chính đáng. Tiếp thu ý kiến cử tri, Ủy ban nhân dân tỉnh giao Ủy ban "
    "nhân dân huyện Sơn Dương xây dựng kế hoạch, lồng ghép các nguồn vốn do huyện quản lý để đầu "
    "tư các công trình trong thời gian tới."
)  # TANTRAO: a plan, no date


# --- the session those petitions are put in (scaffolding) ----------------------------------

SESSION_ID = "0b7e5d2c-session-vp"
NAMESPACE = UUID("5a1f4c7e-2b0d-4f8e-9c3a-6d1e2f3a4b5c")
PHUC_YEN, LAP_THACH, TAN_MY = "mtg-phuc-yen", "mtg-lap-thach", "mtg-tan-my"

SHEET = SessionSheet(
    id=SESSION_ID,
    name="Kỳ họp thứ 12, HĐND tỉnh khóa XV",
    province_code="26",
    province_name="Vĩnh Phúc",
    opens_on=date(2014, 10, 8),
    closes_on=date(2014, 10, 10),
    term="XV",
    number=12,
    meetings=(
        MeetingInfo(id=PHUC_YEN, held_on=date(2014, 9, 22), place="thị xã Phúc Yên"),
        MeetingInfo(id=LAP_THACH, held_on=date(2014, 9, 24), place="huyện Lập Thạch"),
        MeetingInfo(id=TAN_MY, held_on=date(2014, 9, 25), place="xã Tân Mỹ"),
    ),
)

SO_GTVT = BodyRef(id="26-so-gtvt", name="Sở Giao thông vận tải", level="province_department")
BO_GTVT = BodyRef(id="bo-gtvt", name="Bộ Giao thông vận tải", level="national")
UBND_TAN_MY = BodyRef(id="ubnd-tan-my", name="UBND xã Tân Mỹ", level="commune")
TRANSPORT = CategoryRef(code="transport", name="Giao thông")


@dataclass(frozen=True)
class Planned:
    name: str
    meeting_id: str
    text: str
    voters: str | None
    place: str | None
    body: BodyRef | None = SO_GTVT
    kind: str = "petition"
    level: str | None = None
    commune: tuple[str, str] | None = None

    @property
    def item_id(self) -> UUID:
        return uuid5(NAMESPACE, self.name)


PLANNED = (
    Planned("den", PHUC_YEN, DEN_GIAO_THONG, "Cử tri phường Hùng Vương", "phường Hùng Vương",
            commune=("08001", "Phường Hùng Vương")),
    Planned("ql23", PHUC_YEN, QUOC_LO_23, "Cử tri phường Hùng Vương", "thôn Phú Thứ",
            body=BO_GTVT, commune=("08001", "Phường Hùng Vương")),
    Planned("cau", PHUC_YEN, CAU_QUA_SUOI, "Cử tri huyện Tam Đảo", "huyện Tam Đảo",
            commune=("08002", "Xã Đại Đình")),
    Planned("tl307", LAP_THACH, TINH_LO_307, "Cử tri thị trấn Hoa Sơn, Sơn Đông, Triệu Đề",
            "thị trấn Hoa Sơn", commune=("08003", "Xã Sơn Đông")),
    Planned("phuhau", LAP_THACH, CAU_PHU_HAU, "Cử tri xã Sơn Đông", "xã Sơn Đông",
            commune=("08003", "Xã Sơn Đông")),
    Planned("cau-dai-dinh", LAP_THACH, CAU_QUA_SUOI_DAI_DINH, "Cử tri huyện Tam Đảo",
            "xã Đại Đình", commune=("08002", "Xã Đại Đình")),
    Planned("tin-tuong", LAP_THACH, TIN_TUONG, "Cử tri huyện Lập Thạch", None, body=None,
            kind="opinion"),
    Planned("khuon-tham", TAN_MY, KHUON_THAM, "Cử tri xã Tân Mỹ", "thôn Khuôn Thẳm",
            body=UBND_TAN_MY, level="commune", commune=("08004", "Xã Tân Mỹ")),
    Planned("tl307-again", TAN_MY, TINH_LO_307, "Cử tri thị trấn Hoa Sơn, Sơn Đông, Triệu Đề",
            "thị trấn Hoa Sơn", commune=("08003", "Xã Sơn Đông")),
)  # fmt: skip
"""Nine items of three meetings: the same bridges raised at two meetings (in short and in
full), the same provincial road at two, one opinion, one commune matter."""


def held_on(meeting_id: str) -> date:
    return next(m.held_on for m in SHEET.meetings if m.id == meeting_id)


def session_items(planned: tuple[Planned, ...] = PLANNED) -> list[SessionItem]:
    """The planned items as compiling sees them (routed, none answered yet)."""
    return [
        SessionItem(
            item_id=p.item_id, tracking_code=f"HA-{k:04d}", meeting_id=p.meeting_id,
            kind="opinion" if p.kind == "opinion" else "petition", text=p.text, voters=p.voters,
            place=p.place, held_on=held_on(p.meeting_id), position=k, minutes_level=p.level,
            router_level=p.body.level if p.body else None,
            category_code=TRANSPORT.code if p.body else None,
            category_name=TRANSPORT.name if p.body else None,
            body_id=p.body.id if p.body else None, body_name=p.body.name if p.body else None,
            commune_code=p.commune[0] if p.commune else None,
            commune_name=p.commune[1] if p.commune else None,
            status="routed" if p.body else "received",
        )
        for k, p in enumerate(planned)
    ]  # fmt: skip


AT = datetime(2014, 9, 26, 2, 0, tzinfo=UTC)


def session_events(
    planned: tuple[Planned, ...] = PLANNED, *, session_id: str = SESSION_ID
) -> list[Event]:
    """The planned items as intake and the router publish them (received, then routed)."""
    events: list[Event] = []
    for k, p in enumerate(planned):
        citizen = Citizen(name=p.voters, preferred_channel=Channel.MEETING)
        received = FeedbackReceived(
            occurred_at=AT, correlation_id=p.item_id, item_id=p.item_id,
            tracking_code=f"HA-{k:04d}", channel=Channel.MEETING, received_at=AT,
            citizen=citizen, text=FeedbackText(original=p.text, normalised=p.text),
            location=Location(raw_address=p.place),
            origin=Origin(kind=OriginKind.MEETING, meeting_id=p.meeting_id, session_id=session_id),
            meeting=MeetingPetition(
                kind="opinion" if p.kind == "opinion" else "petition", voters=p.voters,
                place=p.place, held_on=held_on(p.meeting_id), level=p.level, position=k,
            ),
            to_route=p.kind != "opinion",
        )  # fmt: skip
        events.append(received)
        if p.body is None:
            continue
        events.append(
            FeedbackRouted(
                occurred_at=AT + timedelta(minutes=1), correlation_id=p.item_id, item_id=p.item_id,
                tracking_code=received.tracking_code, status=Status.ROUTED, category=TRANSPORT,
                body=p.body, confidence=0.9, reasons=("giao thông",), channel=Channel.MEETING,
                citizen=citizen, text=p.text, origin=received.origin, level=p.body.level,
                location=ResolvedLocation(
                    province=AreaRef(code="26", name="Tỉnh Vĩnh Phúc"),
                    commune=AreaRef(code=p.commune[0], name=p.commune[1]) if p.commune else None,
                ),
            )
        )  # fmt: skip
    return events


def answered(planned: Planned, answer: str, *, at: datetime) -> StatusChanged:
    return StatusChanged(
        occurred_at=at, correlation_id=planned.item_id, item_id=planned.item_id,
        tracking_code=f"HA-{PLANNED.index(planned):04d}", status=Status.RESOLVED, answer=answer,
        actor="body:so-gtvt", body=planned.body,
    )  # fmt: skip


def planned(name: str) -> Planned:
    return next(p for p in PLANNED if p.name == name)
