"""Fixtures every test layer shares."""

import pytest

from hoiam_shared.events import FeedbackReceived
from support.samples import make_received


@pytest.fixture
def pothole() -> FeedbackReceived:
    return make_received(
        "Đoạn đường tỉnh lộ 912 qua ấp Chợ có nhiều ổ gà, xe máy té ngã liên tục, "
        "đề nghị sửa chữa sớm.",
        address="ấp Chợ, xã Tiểu Cần, tỉnh Trà Vinh",
    )
