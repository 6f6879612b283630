"""The console's words, Vietnamese first, English beside them: one catalogue for every page.

A page asks `t("key")`; a key missing in English falls back to Vietnamese, and a key missing in
both shows itself (a test lists the keys the templates use and checks each is here).
"""

from datetime import date, datetime

from hoiam_console.archive_words import ARCHIVE_WORDS
from hoiam_console.erasure_words import ERASURE_WORDS
from hoiam_console.i18n_council import COUNCIL_CATALOGUE
from hoiam_console.i18n_desk import DESK_CATALOGUE
from hoiam_console.public_words import PUBLIC_WORDS
from hoiam_shared.clock import VIETNAM_TIME

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"

CATALOGUE: dict[str, dict[str, str]] = {
    "app": {"vi": "Hồi Âm — Bàn làm việc", "en": "Hồi Âm — Console"},
    "nav.inbox": {"vi": "Hộp việc", "en": "Inbox"},
    "nav.triage": {"vi": "Chờ phân loại", "en": "Triage"},
    "nav.tasks": {"vi": "Việc cần làm", "en": "Tasks"},
    "nav.lookup": {"vi": "Tra cứu mã", "en": "Look up"},
    "nav.admin": {"vi": "Tài khoản", "en": "Accounts"},
    "nav.logout": {"vi": "Đăng xuất", "en": "Sign out"},
    "nav.language": {"vi": "English", "en": "Tiếng Việt"},
    "login.title": {"vi": "Đăng nhập", "en": "Sign in"},
    "login.username": {"vi": "Tên đăng nhập", "en": "Username"},
    "login.password": {"vi": "Mật khẩu", "en": "Password"},
    "login.submit": {"vi": "Đăng nhập", "en": "Sign in"},
    "login.failed": {
        "vi": "Sai tên đăng nhập hoặc mật khẩu.",
        "en": "Wrong username or password.",
    },
    "login.throttled": {
        "vi": "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {until}.",
        "en": "Too many failed sign-ins. Try again after {until}.",
    },
    "signed_in_as": {"vi": "Đang đăng nhập: {name}", "en": "Signed in as {name}"},
    "inbox.title": {"vi": "Hộp việc", "en": "Inbox"},
    "inbox.empty": {"vi": "Không có ý kiến nào.", "en": "No items."},
    "inbox.filter": {"vi": "Lọc theo trạng thái", "en": "Filter by status"},
    "inbox.all": {"vi": "Tất cả", "en": "All"},
    "inbox.apply": {"vi": "Lọc", "en": "Filter"},
    "col.code": {"vi": "Mã theo dõi", "en": "Tracking code"},
    "col.received": {"vi": "Ngày nhận", "en": "Received"},
    "col.channel": {"vi": "Kênh", "en": "Channel"},
    "col.subject": {"vi": "Nội dung", "en": "Content"},
    "col.body": {"vi": "Cơ quan", "en": "Body"},
    "col.status": {"vi": "Trạng thái", "en": "Status"},
    "col.due": {"vi": "Hạn xử lý", "en": "Due"},
    "sla.due": {"vi": "Còn {n} ngày làm việc", "en": "Due in {n} working days"},
    "sla.today": {"vi": "Đến hạn hôm nay", "en": "Due today"},
    "sla.overdue": {"vi": "Quá hạn {n} ngày làm việc", "en": "Overdue by {n} working days"},
    "item.title": {"vi": "Ý kiến {code}", "en": "Item {code}"},
    "item.repeat": {"vi": "Kiến nghị đã được trả lời", "en": "Already answered"},
    "item.repeat_intro": {
        "vi": "Một kiến nghị tương tự ở cùng địa phương đã được trả lời và công bố ({code}); "
        "cử tri đã được gửi đường dẫn đến câu trả lời.",
        "en": "A similar petition from the same place was answered and published ({code}); "
        "the citizen was sent a link to the answer.",
    },
    "item.repeat_score": {"vi": "Độ tương đồng", "en": "Similarity"},
    "item.repeat_bar": {"vi": "ngưỡng", "en": "threshold"},
    "item.repeat_terms": {"vi": "Từ ngữ trùng", "en": "Shared terms"},
    "item.repeat_answer": {"vi": "Xem câu trả lời đã công bố", "en": "Read the published answer"},
    "item.repeat_same_case": {
        "vi": "Ý kiến này đã thuộc vụ việc đã được trả lời.",
        "en": "This item is already in the answered case.",
    },
    "item.repeat_merge": {
        "vi": "Gộp vào vụ việc đã trả lời",
        "en": "Link to the answered case",
    },
    "item.citizen": {"vi": "Cử tri", "en": "Citizen"},
    "item.text": {"vi": "Nội dung", "en": "Text"},
    "item.address": {"vi": "Địa chỉ", "en": "Address"},
    "item.photos": {"vi": "Ảnh công dân gửi kèm", "en": "Photos the citizen attached"},
    "item.photo": {"vi": "Ảnh", "en": "Photo"},
    "item.category": {"vi": "Lĩnh vực", "en": "Category"},
    "item.answer": {"vi": "Câu trả lời", "en": "Answer"},
    "item.history": {"vi": "Lịch sử xử lý", "en": "History"},
    "item.messages": {"vi": "Cử tri gửi thêm", "en": "Citizen's messages"},
    "item.notifications": {
        "vi": "Đã gửi cho ai, đã đến chưa",
        "en": "What was sent, and whether it arrived",
    },
    "item.no_messages": {"vi": "Chưa có.", "en": "None yet."},
    "item.acknowledge": {"vi": "Xác nhận đã nhận", "en": "Acknowledge"},
    "item.answer_label": {
        "vi": "Câu trả lời gửi cử tri",
        "en": "Answer (what the citizen receives)",
    },
    "item.resolve": {"vi": "Trả lời và hoàn thành", "en": "Answer and resolve"},
    "item.hand_back": {"vi": "Không thuộc thẩm quyền — trả lại", "en": "Not ours — hand back"},
    "item.reason": {"vi": "Lý do", "en": "Reason"},
    "item.reassign": {"vi": "Chuyển cho cơ quan khác", "en": "Reassign"},
    "item.body_id": {"vi": "Mã cơ quan nhận", "en": "Body id"},
    "item.read_only": {
        "vi": "Bạn theo dõi ý kiến này; việc trả lời là của cơ quan được giao.",
        "en": "You follow this item; the assigned body answers it.",
    },
    "item.actor": {"vi": "Người thực hiện", "en": "By"},
    "delivered.yes": {"vi": "Đã đến", "en": "Delivered"},
    "delivered.no": {"vi": "Không gửi được", "en": "Failed"},
    "recipient.citizen": {"vi": "Cử tri", "en": "Citizen"},
    "recipient.body": {"vi": "Cơ quan", "en": "Body"},
    "recipient.councillor": {"vi": "Đại biểu", "en": "Delegate"},
    "entry.received": {"vi": "Tiếp nhận", "en": "Received"},
    "entry.routed": {"vi": "Chuyển đến", "en": "Routed to"},
    "entry.status": {"vi": "Trạng thái", "en": "Status"},
    "entry.message": {"vi": "Cử tri gửi thêm", "en": "Citizen wrote"},
    "entry.notification": {"vi": "Thông báo", "en": "Notification"},
    "entry.task": {"vi": "Việc cho tổng đài viên", "en": "Operator task"},
    "triage.title": {"vi": "Ý kiến chờ phân loại", "en": "Triage queue"},
    "triage.empty": {"vi": "Không có ý kiến chờ phân loại.", "en": "Nothing waits in triage."},
    "triage.candidates": {"vi": "Cơ quan gợi ý", "en": "Candidate bodies"},
    "triage.reasons": {"vi": "Lý do", "en": "Reasons"},
    "triage.confirm": {"vi": "Chuyển cho cơ quan này", "en": "Send to this body"},
    "triage.other": {"vi": "Hoặc chọn cơ quan khác (mã)", "en": "Or another body (id)"},
    "triage.category": {"vi": "Lĩnh vực", "en": "Category"},
    "triage.send": {"vi": "Chuyển", "en": "Send"},
    "tasks.title": {"vi": "Việc cần làm", "en": "Tasks"},
    "tasks.empty": {"vi": "Không có việc nào.", "en": "No tasks."},
    "tasks.assign": {"vi": "Tôi nhận việc này", "en": "Assign to me"},
    "tasks.done": {"vi": "Đã xong", "en": "Close"},
    "tasks.note": {"vi": "Ghi chú", "en": "Note"},
    "tasks.assigned": {"vi": "Người nhận", "en": "Assigned to"},
    "tasks.kind": {"vi": "Loại việc", "en": "Kind"},
    "tasks.state": {"vi": "Tình trạng", "en": "State"},
    "tasks.opened": {"vi": "Mở lúc", "en": "Opened"},
    "lookup.title": {"vi": "Tra cứu theo mã theo dõi", "en": "Look up a tracking code"},
    "lookup.code": {"vi": "Mã theo dõi (HA-XXXX-XXXX)", "en": "Tracking code (HA-XXXX-XXXX)"},
    "lookup.submit": {"vi": "Tra cứu", "en": "Look up"},
    "lookup.none": {"vi": "Không tìm thấy mã {code}.", "en": "No item {code}."},
    "admin.title": {"vi": "Tài khoản", "en": "Accounts"},
    "admin.create": {"vi": "Tạo tài khoản", "en": "Create an account"},
    "admin.username": {"vi": "Tên đăng nhập", "en": "Username"},
    "admin.display_name": {"vi": "Họ tên", "en": "Full name"},
    "admin.role": {"vi": "Vai trò", "en": "Role"},
    "admin.password": {"vi": "Mật khẩu (ít nhất 10 ký tự)", "en": "Password (10+ characters)"},
    "admin.province": {"vi": "Mã tỉnh (tổng đài viên)", "en": "Province code (operators)"},
    "admin.commune": {
        "vi": "Mã xã (tổng đài viên cấp xã)",
        "en": "Commune code (commune operators)",
    },
    "admin.body": {"vi": "Mã cơ quan (cán bộ cơ quan)", "en": "Body id (body staff)"},
    "admin.delegate": {"vi": "Mã đại biểu (đại biểu HĐND)", "en": "Delegate id (HĐND delegates)"},
    "admin.bound": {"vi": "Gắn với", "en": "Bound to"},
    "admin.created": {"vi": "Đã tạo tài khoản {name}.", "en": "Account {name} created."},
    "role.operator": {"vi": "Tổng đài viên MTTQ", "en": "Front operator"},
    "role.body": {"vi": "Cán bộ cơ quan", "en": "Body staff"},
    "role.delegate": {"vi": "Đại biểu HĐND", "en": "HĐND delegate"},
    "role.admin": {"vi": "Quản trị", "en": "Admin"},
    "status.received": {"vi": "Đã tiếp nhận", "en": "Received"},
    "status.routed": {"vi": "Đã chuyển cơ quan", "en": "Routed"},
    "status.triage": {"vi": "Chờ phân loại", "en": "In triage"},
    "status.acknowledged": {"vi": "Cơ quan đã nhận", "en": "Acknowledged"},
    "status.in_progress": {"vi": "Đang xử lý", "en": "In progress"},
    "status.resolved": {"vi": "Đã trả lời", "en": "Resolved"},
    "status.closed": {"vi": "Đã đóng", "en": "Closed"},
    "status.rejected": {"vi": "Không thụ lý", "en": "Rejected"},
    "status.reopened": {"vi": "Mở lại", "en": "Reopened"},
    "error.title": {"vi": "Không thực hiện được", "en": "Not possible"},
    "error.forbidden": {
        "vi": "Bạn không có quyền xem hoặc làm việc này.",
        "en": "You may not see or do this.",
    },
    "error.not_found": {"vi": "Không tìm thấy.", "en": "Not found."},
    "error.csrf": {
        "vi": "Biểu mẫu đã hết hạn, vui lòng tải lại trang.",
        "en": "The form expired; reload the page.",
    },
    "error.back": {"vi": "Quay lại", "en": "Back"},
    "done": {"vi": "Đã ghi nhận.", "en": "Done."},
}

CATALOGUE |= DESK_CATALOGUE
CATALOGUE |= COUNCIL_CATALOGUE


CATALOGUE |= PUBLIC_WORDS
CATALOGUE |= ARCHIVE_WORDS
CATALOGUE |= ERASURE_WORDS


def translate(key: str, language: str, **values: object) -> str:
    words = CATALOGUE.get(key)
    if words is None:
        return key
    text = words.get(language) or words[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


def vn_datetime(at: datetime | None) -> str:
    """dd/mm/yyyy HH:MM in Vietnam time."""
    return at.astimezone(VIETNAM_TIME).strftime("%d/%m/%Y %H:%M") if at else ""


def vn_date(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""
