"""Fixtures every test layer shares, and the markers each layer carries."""

from pathlib import Path

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


_LAYERS = {"integration": pytest.mark.integration, "e2e": pytest.mark.e2e}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test by the folder it lives in, so `-m integration` and `-m e2e` select layers
    (`make test-unit`, `make test-integration`, `make test-e2e`) without a decorator per file."""
    here = Path(__file__).parent
    for item in items:
        layer = item.path.relative_to(here).parts[0]
        if layer in _LAYERS:
            item.add_marker(_LAYERS[layer])
