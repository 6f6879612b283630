"""JSON log lines carry the correlation id inside `correlation(...)`, and extra fields."""

import io
import json
import logging
from collections.abc import Iterator
from uuid import uuid4

import pytest

from hoiam_shared.logs import JsonFormatter, configure_logging, correlation, current_correlation_id


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("router"))
    logger = logging.getLogger(f"test.logs.{uuid4()}")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_record_is_one_json_line_with_service_level_and_message(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured

    logger.warning("ý kiến %s\nhai dòng", "HA-7K3Q-92XM")

    [entry] = lines(stream)
    assert entry["service"] == "router"
    assert entry["level"] == "WARNING"
    assert entry["logger"] == logger.name
    assert entry["msg"] == "ý kiến HA-7K3Q-92XM\nhai dòng"
    assert str(entry["ts"]).endswith("+00:00")
    assert "correlation_id" not in entry


def test_the_correlation_id_is_on_lines_inside_the_block_only(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured
    item_id = uuid4()

    logger.info("before")
    with correlation(item_id):
        assert current_correlation_id() == str(item_id)
        logger.info("routed", extra={"tracking_code": "HA-7K3Q-92XM", "body": "vl-dien-luc"})
    logger.info("after")

    before, inside, after = lines(stream)
    assert "correlation_id" not in before
    assert inside["correlation_id"] == str(item_id)
    assert inside["tracking_code"] == "HA-7K3Q-92XM"
    assert inside["body"] == "vl-dien-luc"
    assert "correlation_id" not in after
    assert "tracking_code" not in after
    assert current_correlation_id() is None


def test_nested_blocks_restore_the_outer_id() -> None:
    outer, inner = uuid4(), uuid4()
    with correlation(outer):
        with correlation(inner):
            assert current_correlation_id() == str(inner)
        assert current_correlation_id() == str(outer)


def test_an_exception_is_logged_on_the_same_line(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured

    try:
        raise RuntimeError("smtp down")
    except RuntimeError:
        logger.exception("send failed")

    [entry] = lines(stream)
    assert "RuntimeError: smtp down" in str(entry["exc"])


@pytest.fixture
def uvicorn_access() -> Iterator[logging.Logger]:
    access = logging.getLogger("uvicorn.access")
    root = logging.getLogger()
    saved = (access.handlers[:], access.propagate, root.handlers[:], root.level)
    yield access
    access.handlers[:], access.propagate = saved[0], saved[1]
    root.handlers[:] = saved[2]
    root.setLevel(saved[3])


def test_an_access_log_switched_off_by_uvicorn_stays_off(uvicorn_access: logging.Logger) -> None:
    # What `uvicorn --no-access-log` leaves before the app (and so this) is imported: uvicorn's
    # protocols then log a line per request iff the logger has any handler, its parents' included.
    uvicorn_access.handlers[:] = []
    uvicorn_access.propagate = False
    configure_logging("intake")
    assert not uvicorn_access.hasHandlers()


def test_an_access_log_uvicorn_keeps_goes_through_the_json_handler(
    uvicorn_access: logging.Logger,
) -> None:
    uvicorn_access.handlers[:] = [logging.StreamHandler(io.StringIO())]
    uvicorn_access.propagate = False
    configure_logging("intake")
    assert uvicorn_access.handlers == []
    assert uvicorn_access.propagate
    assert uvicorn_access.hasHandlers()
