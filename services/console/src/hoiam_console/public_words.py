"""The public pages' words (Vietnamese first), joined to the console's catalogue in `i18n`."""

PUBLIC_WORDS: dict[str, dict[str, str]] = {
    "public.app": {"vi": "Hồi Âm — Ý kiến cử tri", "en": "Hồi Âm — Voters' feedback"},
    "public.home": {"vi": "Gửi ý kiến", "en": "Send feedback"},
    "public.too_many": {
        "vi": "Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau {seconds} giây.",
        "en": "Too many lookups. Try again in {seconds} seconds.",
    },
    "public.unknown_code": {
        "vi": "Không có ý kiến nào mang mã {code}. Vui lòng kiểm tra lại mã.",
        "en": "No feedback has the code {code}. Check the code.",
    },
    "public.status.title": {"vi": "Tình trạng ý kiến", "en": "Status of feedback"},
    "public.status.body": {"vi": "Cơ quan xử lý", "en": "Handled by"},
    "public.status.received": {"vi": "Ngày tiếp nhận", "en": "Received on"},
    "public.status.due": {"vi": "Hạn trả lời", "en": "Answer due by"},
    "public.status.summary": {
        "vi": "Ý kiến về lĩnh vực {category} tại {place}.",
        "en": "Feedback on {category} in {place}.",
    },
    "public.status.no_category": {"vi": "chưa phân loại", "en": "an unclassified matter"},
    "public.status.no_place": {"vi": "địa bàn chưa xác định", "en": "a place not yet known"},
    "public.status.answer": {"vi": "Trả lời của cơ quan", "en": "The body's answer"},
    "public.status.timeline": {"vi": "Quá trình xử lý", "en": "Timeline"},
    "public.rate.title": {"vi": "Đánh giá câu trả lời", "en": "Rate the answer"},
    "public.rate.score": {"vi": "Mức độ hài lòng", "en": "How satisfied are you"},
    "public.rate.s5": {"vi": "Rất hài lòng", "en": "Very satisfied"},
    "public.rate.s4": {"vi": "Hài lòng", "en": "Satisfied"},
    "public.rate.s3": {"vi": "Bình thường", "en": "Neutral"},
    "public.rate.s2": {"vi": "Chưa hài lòng", "en": "Unsatisfied"},
    "public.rate.s1": {"vi": "Rất không hài lòng", "en": "Very unsatisfied"},
    "public.rate.reason": {"vi": "Lý do (không bắt buộc)", "en": "Why (optional)"},
    "public.rate.submit": {"vi": "Gửi đánh giá", "en": "Send rating"},
    "public.rate.thanks": {
        "vi": "Cảm ơn bạn đã đánh giá. Đánh giá thấp sẽ được chuyển lại cơ quan xử lý.",
        "en": "Thank you. A low rating sends the matter back to the body.",
    },
    "public.rate.given": {"vi": "Bạn đã đánh giá {score}/5.", "en": "You rated it {score}/5."},
    "public.rate.bad": {"vi": "Vui lòng chọn mức từ 1 đến 5.", "en": "Choose a score from 1 to 5."},
    "public.rate.not_resolved": {
        "vi": "Ý kiến chưa được trả lời nên chưa thể đánh giá.",
        "en": "There is no answer yet to rate.",
    },
    "public.rate.already_rated": {
        "vi": "Ý kiến này đã được đánh giá.",
        "en": "This feedback was rated already.",
    },
    "public.rate.later": {
        "vi": "Chưa ghi nhận được đánh giá. Vui lòng thử lại sau ít phút.",
        "en": "The rating could not be recorded now. Try again in a few minutes.",
    },
    "entry.rated": {"vi": "Công dân đánh giá", "en": "Citizen's rating"},
}
