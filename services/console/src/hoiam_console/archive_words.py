"""The words of publishing and of the public archive (Vietnamese first), joined to the
console's catalogue in `i18n`."""

ARCHIVE_WORDS: dict[str, dict[str, str]] = {
    "nav.publications": {"vi": "Công khai trả lời", "en": "Publish answers"},
    "nav.answers": {"vi": "Kho trả lời", "en": "Answers archive"},
    "publish.title": {"vi": "Công khai câu trả lời", "en": "Publish answers"},
    "publish.intro": {
        "vi": "Các ý kiến đã được trả lời trong địa bàn của bạn. Trước khi công khai, số điện "
        "thoại, thư điện tử, số giấy tờ, số nhà và họ tên đã được che; hãy đọc lại bản nháp.",
        "en": "Answered items of your area. Phones, emails, id numbers, house numbers and names "
        "are masked in the draft before you see it; read it before approving.",
    },
    "publish.empty": {"vi": "Chưa có ý kiến nào được trả lời.", "en": "No answered items yet."},
    "publish.published": {"vi": "Đã công khai ngày {day}", "en": "Published on {day}"},
    "publish.unpublished": {"vi": "Chưa công khai", "en": "Not published"},
    "publish.open": {"vi": "Xem bản nháp", "en": "Open the draft"},
    "publish.done.approved": {
        "vi": "Đã công khai câu trả lời.",
        "en": "The answer is published.",
    },
    "publish.done.withdrawn": {
        "vi": "Đã rút câu trả lời khỏi kho.",
        "en": "The answer was withdrawn from the archive.",
    },
    "publish.draft": {"vi": "Bản nháp công khai", "en": "Draft for publication"},
    "publish.consented": {
        "vi": "Công dân đồng ý công khai nội dung: tóm tắt là nội dung ý kiến đã che thông tin "
        "cá nhân.",
        "en": "The citizen agreed to publication: the summary is their text, masked.",
    },
    "publish.not_consented": {
        "vi": "Công dân không đồng ý công khai nội dung: tóm tắt chỉ nêu lĩnh vực và địa bàn; "
        "có thể mô tả vấn đề nhưng không trích lời công dân.",
        "en": "The citizen did not agree to publication: the summary only names the field and "
        "place; you may describe the matter, not quote the petition.",
    },
    "publish.summary": {"vi": "Tóm tắt ý kiến", "en": "Summary of the petition"},
    "publish.answer": {"vi": "Câu trả lời", "en": "The answer"},
    "publish.masks": {"vi": "Đã che", "en": "Masked"},
    "publish.no_masks": {"vi": "Không có gì cần che.", "en": "Nothing to mask."},
    "publish.cue": {"vi": "sau «{cue}»", "en": "after “{cue}”"},
    "publish.own_name": {"vi": "họ tên người gửi", "en": "the sender's own name"},
    "publish.rule": {
        "vi": "Khi công khai, số điện thoại, thư điện tử, số giấy tờ, số nhà và họ tên người "
        "gửi luôn được che lại, kể cả khi bạn sửa bản nháp.",
        "en": "On approval, phones, emails, id numbers, house numbers and the sender's name are "
        "always masked again, even in your edits.",
    },
    "publish.approve": {"vi": "Duyệt và công khai", "en": "Approve and publish"},
    "publish.update": {"vi": "Cập nhật bản công khai", "en": "Update the published entry"},
    "publish.withdraw": {"vi": "Rút khỏi kho trả lời", "en": "Withdraw from the archive"},
    "publish.view": {"vi": "Xem bản công khai", "en": "View the public entry"},
    "publish.original": {"vi": "Nội dung gốc (chỉ cán bộ xem)", "en": "Original (staff only)"},
    "publish.later": {
        "vi": "Chưa công khai được, vui lòng thử lại sau ít phút.",
        "en": "It could not be published now; try again in a few minutes.",
    },
    "publish.refused.not_answered": {
        "vi": "Ý kiến chưa được trả lời nên chưa thể công khai.",
        "en": "The item has no answer yet, so it cannot be published.",
    },
    "publish.refused.not_published": {
        "vi": "Câu trả lời này chưa được công khai.",
        "en": "This answer is not published.",
    },
    "mask.kind.phone": {"vi": "Số điện thoại", "en": "Phone number"},
    "mask.kind.email": {"vi": "Thư điện tử", "en": "Email"},
    "mask.kind.social": {"vi": "Tài khoản Zalo/Facebook", "en": "Zalo/Facebook account"},
    "mask.kind.id_number": {"vi": "Số CCCD/CMND", "en": "Identity card number"},
    "mask.kind.house_number": {"vi": "Số nhà", "en": "House number"},
    "mask.kind.name": {"vi": "Họ tên", "en": "Name"},
    "answers.title": {"vi": "Kho câu trả lời", "en": "Answers archive"},
    "answers.intro": {
        "vi": "Các ý kiến, kiến nghị đã được cơ quan trả lời và được công khai. Tìm trước khi "
        "gửi: có thể vấn đề của bạn đã được trả lời.",
        "en": "Petitions the bodies answered, published. Search before writing: your matter "
        "may be answered already.",
    },
    "answers.q": {"vi": "Từ khóa (có dấu hoặc không dấu)", "en": "Words (accents optional)"},
    "answers.province": {"vi": "Tỉnh, thành phố", "en": "Province or city"},
    "answers.commune": {
        "vi": "Xã, phường (cả tên cũ trước 7/2025)",
        "en": "Commune or ward (old names before 7/2025 too)",
    },
    "answers.field": {"vi": "Lĩnh vực", "en": "Field"},
    "answers.session": {"vi": "Kỳ họp", "en": "Council session"},
    "answers.any": {"vi": "Tất cả", "en": "Any"},
    "answers.search": {"vi": "Tìm", "en": "Search"},
    "answers.found": {"vi": "Tìm thấy {n} câu trả lời", "en": "Answers found: {n}"},
    "answers.none": {
        "vi": "Không có câu trả lời nào phù hợp.",
        "en": "No published answer matches.",
    },
    "answers.in": {"vi": "Tìm tại: {places}", "en": "Searched in: {places}"},
    "answers.no_place": {
        "vi": "Không tìm thấy địa danh «{place}».",
        "en": "No place is called “{place}”.",
    },
    "answers.places_down": {
        "vi": "Tạm thời không tra được địa danh; vui lòng bỏ ô địa danh hoặc thử lại sau.",
        "en": "Places cannot be looked up now; leave the place out or try again later.",
    },
    "answers.unknown": {
        "vi": "Không có câu trả lời công khai này (có thể đã được rút).",
        "en": "No such published answer (it may have been withdrawn).",
    },
    "answers.answered_on": {"vi": "Trả lời ngày", "en": "Answered on"},
    "answers.body": {"vi": "Cơ quan trả lời", "en": "Answered by"},
    "answers.place": {"vi": "Địa bàn", "en": "Place"},
    "answers.petition": {"vi": "Ý kiến", "en": "The petition"},
    "answers.answer": {"vi": "Trả lời", "en": "The answer"},
    "answers.more": {"vi": "Xem đầy đủ", "en": "Read it all"},
    "answers.status": {"vi": "Tình trạng xử lý", "en": "Status page"},
    "answers.prev": {"vi": "← Trang trước", "en": "← Previous"},
    "answers.next": {"vi": "Trang sau →", "en": "Next →"},
    "answers.page": {"vi": "Trang {page}/{pages}", "en": "Page {page} of {pages}"},
    "answers.back": {"vi": "Về kho trả lời", "en": "Back to the archive"},
}
