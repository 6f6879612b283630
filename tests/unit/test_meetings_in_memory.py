"""Minutes to routed items through intake's and the router's own wiring on FastStream's in-memory
broker: the HTTP upload, the raw records, the normaliser, the router (the opinion left alone)."""

from uuid import UUID

from faststream.kafka import KafkaBroker, TestKafkaBroker
from pydantic import SecretStr

from fakes import intake_world, router_world
from hoiam_router.settings import RouterSettings
from hoiam_shared.events import Channel
from hoiam_shared.kafka import KafkaEventPublisher
from hoiam_shared.service import subscribe_all
from support.clock import TestClock
from support.minutes import DOCX_TYPE, XLSX_TYPE, minutes_docx, minutes_xlsx
from support.router import bundled_directory

COMMON: dict[str, object] = {
    "kafka_topic_prefix": "meet.",
    "kafka_consumers": 1,
    "retry_backoff_seconds": 0.01,
}
TOKEN = "op-token-in-memory"
OPERATOR = {"authorization": f"Bearer {TOKEN}"}


async def test_a_docx_and_an_xlsx_become_items_routed_and_the_opinion_is_left_alone() -> None:
    broker = KafkaBroker()
    publisher = KafkaEventPublisher(broker)
    clock = TestClock.daytime()
    intake = intake_world(
        clock=clock, publisher=publisher, operator_token=SecretStr(TOKEN), **COMMON
    )
    settings = RouterSettings.model_validate({"fallback_province": "86", **COMMON})
    router = router_world(bundled_directory(), clock=clock, settings=settings, publisher=publisher)
    subscribe_all(broker, intake.parts.wiring, intake.settings)
    subscribe_all(broker, router.parts.wiring, settings)
    docx = minutes_docx("ninhthuan-nhon-son", title="BIÊN BẢN TIẾP XÚC CỬ TRI XÃ NHƠN SƠN")
    xlsx = minutes_xlsx("backan-quang-bach", title="TỔNG HỢP Ý KIẾN CỬ TRI XÃ QUẢNG BẠCH")

    async with TestKafkaBroker(broker), intake.http() as http:
        session = await http.post(
            "/v1/sessions",
            json={"name": "Kỳ họp cuối năm", "province_code": "56", "opens_on": "2026-12-08",
                  "closes_on": "2026-12-10"},
            headers=OPERATOR,
        )  # fmt: skip
        meetings = f"/v1/sessions/{session.json()['id']}/meetings"
        answers = [
            await http.post(
                meetings,
                files={"file": (name, data, kind)},
                data={"held_on": "2026-11-25", "place": place},
                headers=OPERATOR,
            )
            for name, data, kind, place in (
                ("bien-ban.docx", docx, DOCX_TYPE, "xã Nhơn Sơn, tỉnh Ninh Thuận"),
                ("tong-hop.xlsx", xlsx, XLSX_TYPE, "xã Quảng Bạch, tỉnh Bắc Kạn"),
            )
        ]

    assert [a.status_code for a in answers] == [201, 201]
    items = [i for a in answers for i in a.json()["items"]]
    petitions = {UUID(i["item_id"]) for i in items if i["kind"] == "petition"}
    [opinion] = [UUID(i["item_id"]) for i in items if i["kind"] == "opinion"]
    routed = router.store.assignments
    assert set(routed) == petitions
    assert all(a.channel is Channel.MEETING for a in routed.values())
    assert all(a.origin is not None and a.origin.meeting_id for a in routed.values())
    assert opinion not in routed
    stored = await intake.items.get(opinion)
    assert stored is not None
    assert not stored.to_route
