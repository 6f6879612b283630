"""The words of the session pages (sessions, meetings, the minutes review, the compilation and
the results), Vietnamese first; `i18n.CATALOGUE` takes them in, as it does the desk's."""

COUNCIL_CATALOGUE: dict[str, dict[str, str]] = {
    "nav.sessions": {"vi": "Kỳ họp", "en": "Sessions"},
    "sessions.title": {"vi": "Kỳ họp và tiếp xúc cử tri", "en": "Sessions and voters' meetings"},
    "sessions.intro": {
        "vi": "Mỗi kỳ họp có các buổi tiếp xúc cử tri trước và sau kỳ họp; ý kiến, kiến nghị "
        "được tổng hợp chậm nhất 15 ngày trước khi khai mạc và 15 ngày sau khi bế mạc.",
        "en": "Each session has voters' meetings before and after it; what voters raised is "
        "compiled at the latest 15 days before it opens and 15 days after it closes.",
    },
    "sessions.none": {"vi": "Chưa có kỳ họp nào.", "en": "No session yet."},
    "sessions.name": {"vi": "Tên kỳ họp", "en": "Session name"},
    "sessions.name_hint": {
        "vi": "Kỳ họp thứ 5 HĐND tỉnh khóa XI",
        "en": "5th session of the provincial council",
    },
    "sessions.dates": {"vi": "Thời gian họp", "en": "Dates"},
    "sessions.compile_before": {
        "vi": "Hạn tổng hợp trước kỳ họp",
        "en": "Compile before the session by",
    },
    "sessions.compile_after": {
        "vi": "Hạn tổng hợp sau kỳ họp",
        "en": "Compile after the session by",
    },
    "sessions.new": {"vi": "Thêm kỳ họp", "en": "New session"},
    "sessions.province_code": {"vi": "Mã tỉnh (2 số)", "en": "Province code (2 digits)"},
    "sessions.council_level": {"vi": "Cấp HĐND", "en": "Council"},
    "sessions.commune_code": {
        "vi": "Mã xã (5 số, với HĐND xã)",
        "en": "Commune code (5 digits, commune council)",
    },
    "sessions.term": {"vi": "Khóa", "en": "Term"},
    "sessions.number": {"vi": "Kỳ họp thứ", "en": "Session number"},
    "sessions.term_n": {"vi": "khóa {term}", "en": "term {term}"},
    "sessions.number_n": {"vi": "kỳ họp thứ {n}", "en": "session {n}"},
    "sessions.opens_on": {"vi": "Ngày khai mạc", "en": "Opens on"},
    "sessions.closes_on": {"vi": "Ngày bế mạc", "en": "Closes on"},
    "sessions.windows_hint": {
        "vi": "Hạn tổng hợp được tính từ ngày họp: 15 ngày trước khai mạc, 15 ngày sau bế mạc.",
        "en": "The compile due dates follow: 15 days before it opens, 15 days after it closes.",
    },
    "sessions.create": {"vi": "Tạo kỳ họp", "en": "Create the session"},
    "council.province": {"vi": "HĐND tỉnh", "en": "Provincial council"},
    "council.commune": {"vi": "HĐND xã", "en": "Commune council"},
    "council.national": {"vi": "Quốc hội", "en": "National Assembly"},
    "session.existing": {
        "vi": "Biên bản này đã được ghi nhận trước đây; đây là buổi tiếp xúc đó.",
        "en": "These minutes were committed before; this is that meeting.",
    },
    "session.reports": {"vi": "Tổng hợp và báo cáo", "en": "Compilation and reports"},
    "session.compilation": {"vi": "Bảng tổng hợp", "en": "The compilation"},
    "session.results": {"vi": "Kết quả giải quyết", "en": "The results"},
    "session.meetings": {"vi": "Các buổi tiếp xúc cử tri", "en": "Voters' meetings"},
    "session.no_meetings": {"vi": "Chưa có buổi tiếp xúc nào.", "en": "No meeting yet."},
    "session.upload": {"vi": "Tải lên biên bản", "en": "Upload minutes"},
    "session.upload_hint": {
        "vi": "Tệp .docx, .xlsx hoặc .txt. Hệ thống tách từng kiến nghị để anh/chị rà soát "
        "trước khi ghi nhận; chưa có gì được gửi đi.",
        "en": "A .docx, .xlsx or .txt file. Each petition is split out for you to review "
        "before it is committed; nothing is sent yet.",
    },
    "session.file": {"vi": "Tệp biên bản", "en": "Minutes file"},
    "session.split": {"vi": "Tách kiến nghị", "en": "Split the petitions"},
    "meeting.held_on": {"vi": "Ngày tiếp xúc", "en": "Held on"},
    "meeting.place": {"vi": "Địa điểm (xã, phường)", "en": "Place (commune)"},
    "meeting.place_hint": {"vi": "xã Tiểu Cần, tỉnh Vĩnh Long", "en": "commune, province"},
    "meeting.delegates": {"vi": "Đại biểu tham dự", "en": "Delegates present"},
    "meeting.delegates_hint": {
        "vi": "Họ tên, cách nhau bởi dấu ;",
        "en": "Names, separated by ;",
    },
    "meeting.constituency": {"vi": "Đơn vị bầu cử", "en": "Constituency"},
    "meeting.petitions": {"vi": "Kiến nghị", "en": "Petitions"},
    "meeting.opinions": {"vi": "Ý kiến", "en": "Opinions"},
    "meeting.on_the_spot": {"vi": "Trả lời tại chỗ", "en": "Answered there"},
    "review.title": {"vi": "Rà soát biên bản", "en": "Review the minutes"},
    "review.back": {"vi": "Về kỳ họp", "en": "Back to the session"},
    "review.counts": {
        "vi": "{petitions} kiến nghị, {opinions} ý kiến; bỏ {dropped}; {skipped} dòng không tách.",
        "en": "{petitions} petitions, {opinions} opinions; {dropped} dropped; {skipped} lines "
        "skipped.",
    },
    "review.help": {
        "vi": "Sửa nội dung, loại, địa bàn; bỏ một dòng; nối một dòng vào dòng trên; gõ {marker} "
        "vào chỗ cần tách rồi bấm Tách. Bấm Ghi nhận một lần khi đã xong.",
        "en": "Fix the words, kind, place; drop a line; join a line to the one above; type "
        "{marker} where a line should be split and press Split. Commit once when done.",
    },
    "review.expires": {"vi": "Bản rà soát hết hạn lúc {at}.", "en": "This review expires {at}."},
    "review.line": {"vi": "Dòng {n}", "en": "Line {n}"},
    "review.restored": {"vi": "khôi phục", "en": "restored"},
    "review.text": {"vi": "Nội dung", "en": "Words"},
    "review.kind": {"vi": "Loại", "en": "Kind"},
    "review.place": {"vi": "Địa bàn", "en": "Place"},
    "review.voters": {"vi": "Cử tri", "en": "Voters"},
    "review.answer": {"vi": "Trả lời", "en": "Answer"},
    "review.on_the_spot": {"vi": "tại buổi tiếp xúc", "en": "at the meeting"},
    "review.drop": {"vi": "Bỏ dòng này", "en": "Drop this line"},
    "review.join": {"vi": "Nối vào dòng trên", "en": "Join to the line above"},
    "review.split": {"vi": "Tách tại {marker}", "en": "Split at {marker}"},
    "review.skipped": {"vi": "Dòng không tách được", "en": "Skipped lines"},
    "review.reason": {"vi": "Lý do", "en": "Reason"},
    "review.restore": {"vi": "Khôi phục thành kiến nghị", "en": "Restore as a petition"},
    "review.save": {"vi": "Lưu", "en": "Save"},
    "review.commit": {"vi": "Ghi nhận biên bản", "en": "Commit the minutes"},
    "review.discard": {"vi": "Hủy bản rà soát", "en": "Discard this review"},
    "kind.petition": {"vi": "Kiến nghị", "en": "Petition"},
    "kind.opinion": {"vi": "Ý kiến", "en": "Opinion"},
    "level.central": {"vi": "Trung ương", "en": "Central"},
    "level.national": {"vi": "Trung ương", "en": "Central"},
    "level.province": {"vi": "Tỉnh", "en": "Province"},
    "level.commune": {"vi": "Xã", "en": "Commune"},
    "committed.title": {"vi": "Đã ghi nhận biên bản", "en": "Minutes committed"},
    "committed.done": {
        "vi": "Đã ghi nhận {n} dòng; mỗi kiến nghị có mã theo dõi và được chuyển đến cơ quan.",
        "en": "{n} lines committed; each petition has a tracking code and is being routed.",
    },
    "committed.to_session": {"vi": "Về kỳ họp", "en": "Back to the session"},
    "download.report.docx": {
        "vi": "Báo cáo tổng hợp ý kiến, kiến nghị (.docx)",
        "en": "Compiled report (.docx)",
    },
    "download.report.xlsx": {"vi": "Bảng tổng hợp (.xlsx)", "en": "Compiled report (.xlsx)"},
    "download.results.docx": {
        "vi": "Báo cáo kết quả giải quyết (.docx)",
        "en": "Results report (.docx)",
    },
    "download.results.xlsx": {"vi": "Bảng kết quả (.xlsx)", "en": "Results report (.xlsx)"},
    "download.handout.docx": {
        "vi": "Tài liệu cho đại biểu theo xã (.docx)",
        "en": "Delegates' handout per commune (.docx)",
    },
}

COUNCIL_CATALOGUE |= {
    "compilation.counts": {
        "vi": "{raised} ý kiến, kiến nghị; sau khi tổng hợp còn {compiled} ({petitions} kiến "
        "nghị, {opinions} ý kiến); bỏ {dropped}; {spot} được trả lời tại chỗ.",
        "en": "{raised} raised; {compiled} after merging ({petitions} petitions, {opinions} "
        "opinions); {dropped} dropped; {spot} answered at the meeting.",
    },
    "compilation.locked": {
        "vi": "Đã khóa bởi {by} lúc {at}: bảng tổng hợp không còn thay đổi theo ý kiến.",
        "en": "Locked by {by} at {at}: the compilation no longer follows its items.",
    },
    "compilation.lock": {"vi": "Khóa bảng tổng hợp", "en": "Lock the compilation"},
    "compilation.unlock": {"vi": "Mở khóa", "en": "Unlock"},
    "compilation.unlock_reason": {"vi": "Lý do mở khóa", "en": "Why unlock"},
    "compilation.level.central": {
        "vi": "I. Kiến nghị thuộc thẩm quyền Trung ương",
        "en": "I. Central government's competence",
    },
    "compilation.level.province": {
        "vi": "II. Kiến nghị thuộc thẩm quyền của tỉnh",
        "en": "II. The province's competence",
    },
    "compilation.level.commune": {
        "vi": "III. Kiến nghị thuộc thẩm quyền của xã, phường",
        "en": "III. The commune's competence",
    },
    "compilation.level.unclassified": {
        "vi": "Chưa xác định thẩm quyền",
        "en": "Competence not yet known",
    },
    "compilation.merged": {"vi": "gộp từ {n} ý kiến", "en": "merged from {n}"},
    "compilation.reworded": {"vi": "đã biên tập", "en": "reworded"},
    "compilation.why_merged": {
        "vi": "Gộp tự động (độ giống {score}): {words}",
        "en": "Merged automatically (likeness {score}): {words}",
    },
    "compilation.adjust": {"vi": "Điều chỉnh", "en": "Adjust"},
    "compilation.move_to": {"vi": "Chuyển sang", "en": "Move to"},
    "compilation.move": {"vi": "Chuyển", "en": "Move"},
    "compilation.merge_with": {"vi": "Gộp với", "en": "Merge with"},
    "compilation.merge": {"vi": "Gộp", "en": "Merge"},
    "compilation.unmerge": {"vi": "Tách {code} ra", "en": "Take {code} out"},
    "compilation.summary": {"vi": "Nội dung tổng hợp", "en": "Summary wording"},
    "compilation.reword": {"vi": "Lưu nội dung", "en": "Save the wording"},
    "compilation.drop_reason": {"vi": "Lý do không đưa vào báo cáo", "en": "Why leave it out"},
    "compilation.drop": {"vi": "Không đưa vào báo cáo", "en": "Leave out of the report"},
    "compilation.restore": {"vi": "Đưa lại vào báo cáo", "en": "Put back in the report"},
    "compilation.opinions": {"vi": "Ý kiến ({n})", "en": "Opinions ({n})"},
    "compilation.dropped": {"vi": "Không đưa vào báo cáo", "en": "Left out of the report"},
    "results.counts": {
        "vi": "{petitions} kiến nghị, {answered} đã trả lời; đạt {good}, chưa đạt {bad}; "
        "chuyển lại {back}; đưa ra chất vấn {questioned}.",
        "en": "{petitions} petitions, {answered} answered; {good} satisfactory, {bad} not; "
        "{back} sent back; {questioned} for questioning.",
    },
    "results.no_status": {"vi": "Chưa rõ trạng thái", "en": "No status yet"},
    "results.no_answer": {"vi": "Chưa có trả lời.", "en": "No answer yet."},
    "results.suggested": {"vi": "Gợi ý loại trả lời: {kind}", "en": "Suggested kind: {kind}"},
    "results.evaluated": {"vi": "Đánh giá: {verdict} ({by})", "en": "Evaluated: {verdict} ({by})"},
    "results.kind": {"vi": "Loại trả lời", "en": "Kind of answer"},
    "results.verdict": {"vi": "Đánh giá", "en": "Evaluation"},
    "results.roadmap_due": {"vi": "Hạn theo lộ trình", "en": "Roadmap date"},
    "results.note": {"vi": "Ghi chú", "en": "Note"},
    "results.record": {"vi": "Ghi nhận đánh giá", "en": "Record"},
    "results.send_back": {"vi": "Chuyển lại cơ quan", "en": "Send back to the body"},
    "results.question": {"vi": "Đưa ra chất vấn", "en": "Mark for questioning"},
    "results.done.evaluated": {"vi": "Đã ghi nhận đánh giá.", "en": "Evaluation recorded."},
    "results.done.send_back": {
        "vi": "Đã chuyển lại cơ quan giải quyết.",
        "en": "Sent back to the body.",
    },
    "results.done.question": {
        "vi": "Đã đưa vào nội dung chất vấn.",
        "en": "Marked for questioning.",
    },
    "answer_kind.regulation": {"vi": "Ban hành văn bản", "en": "A regulation issued"},
    "answer_kind.inspection": {"vi": "Thanh tra, kiểm tra", "en": "An inspection"},
    "answer_kind.explanation": {"vi": "Giải thích, cung cấp thông tin", "en": "Explanation only"},
    "answer_kind.roadmap": {"vi": "Có lộ trình giải quyết", "en": "A roadmap with a date"},
    "answer_kind.other": {"vi": "Khác", "en": "Other"},
    "verdict.satisfactory": {"vi": "Đạt yêu cầu", "en": "Satisfactory"},
    "verdict.unsatisfactory": {"vi": "Chưa đạt yêu cầu", "en": "Not satisfactory"},
    "follow_up.send_back": {"vi": "đã chuyển lại cơ quan", "en": "sent back"},
    "follow_up.question": {"vi": "đưa ra chất vấn", "en": "for questioning"},
    "level.unclassified": {"vi": "Chưa xác định", "en": "Not known"},
}
