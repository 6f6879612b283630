"""Sends sample voter feedback through the running pipeline and shows where each item went."""

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from pymongo import AsyncMongoClient

INTAKE = os.environ.get("HOIAM_DEMO_INTAKE_URL", "http://127.0.0.1:8001")
MONGO = os.environ.get("HOIAM_DEMO_MONGO_URL", "mongodb://127.0.0.1:27017/")
STATE = Path(os.environ.get("HOIAM_STATE_DIR", Path(__file__).resolve().parents[2] / ".local"))

# The kinds of messages MTTQ staff retype today: old pre-2025 addresses, text without diacritics,
# a matter no keyword settles (triage), and a caller with a phone number only.
SAMPLES: list[dict[str, Any]] = [
    {
        "name": "Lê Thị Hồng",
        "email": "hong.le@example.com",
        "address": "ấp Phú Thọ, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh",
        "subject": "Mất điện kéo dài",
        "text": "Từ tối 20/11 ấp Phú Thọ bị mất điện liên tục, đường dây hạ thế võng sát mặt "
        "đường rất nguy hiểm. Đề nghị điện lực kiểm tra, khắc phục sớm.",
        "consent": True,
    },
    {
        "name": "Tran Van Minh",
        "email": "minh.tran@example.com",
        "address": "xa Phu Thuan, huyen Binh Dai, Ben Tre",
        "text": "Duong tinh lo 883 doan qua xa Phu Thuan co nhieu o ga lon, troi mua xe may te "
        "nga lien tuc. De nghi cac co quan som sua chua.",
        "consent": True,
    },
    {
        "name": "Phạm Thu Trang",
        "email": "trang.pham@example.com",
        "phone": "0903 123 456",
        "address": "Phường 1, TP Vĩnh Long",
        "text": "Bãi rác tạm gần chợ phường 1 bốc mùi hôi, nước thải chảy ra đường gây ô nhiễm "
        "nặng, người dân rất bức xúc.",
        "consent": True,
    },
    {
        "name": "Võ Văn Tài",
        "email": "tai.vo@example.com",
        "address": "ấp 3, xã Long Hữu, tỉnh Trà Vinh",
        "text": "Nước máy ở ấp 3 yếu và đục mấy tuần nay, đồng hồ nước vẫn chạy tiền nước tăng. "
        "Đề nghị công ty cấp nước kiểm tra đường ống nước.",
        "consent": True,
    },
    {
        "name": "Nguyễn Thị Lan",
        "email": "lan.nguyen@example.com",
        "text": "Đề nghị xem xét lại việc chi trả trợ cấp cho gia đình người có công ở địa "
        "phương, nhiều hồ sơ nộp từ đầu năm vẫn chưa được giải quyết.",
        "consent": True,
    },
    {
        "name": "Đặng Văn Hùng",
        "phone": "0168 765 4321",
        "address": "xã Tân Thủy, huyện Ba Tri, tỉnh Bến Tre",
        "text": "Cây cầu khỉ bắc qua kênh ở ấp Tân Thành đã mục, học sinh đi học rất nguy hiểm, "
        "đề nghị xây cầu bê tông.",
        "preferred_channel": "phone",
        "consent": True,
    },
]


async def wait_for_outcomes(db: Any, item_ids: list[str]) -> None:
    """Until every item is routed and each of its deliveries has an outcome (90 s at most)."""
    deadline = time.monotonic() + 90
    mine = {"item_id": {"$in": item_ids}}
    while time.monotonic() < deadline:
        routed = await db["router"]["assignments"].count_documents({"_id": {"$in": item_ids}})
        planned = await db["notifier"]["deliveries"].count_documents(mine)
        finished = await db["notifier"]["delivery_outcomes"].count_documents(mine)
        notified = await db["notifier"]["deliveries"].distinct("item_id", mine)
        if routed == len(item_ids) and len(notified) == len(item_ids) and finished == planned:
            return
        await asyncio.sleep(0.5)
    raise SystemExit("demo: not every item came through in time; see .local/logs/")


async def main() -> int:
    async with httpx.AsyncClient(base_url=INTAKE, timeout=15) as client:
        accepted = []
        for sample in SAMPLES:
            response = await client.post("/v1/intake/web", json=sample)
            if response.status_code != 202:
                print(f"demo: intake answered {response.status_code}: {response.text}")
                return 1
            accepted.append(response.json())
    print(f"demo: {len(accepted)} submissions accepted by intake; following them through ...\n")

    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO, tz_aware=True)
    db = {name: mongo[f"hoiam_{name}"] for name in ("router", "notifier")}
    try:
        ids = [a["id"] for a in accepted]
        await wait_for_outcomes(db, ids)
        for item in accepted:
            assignment = await db["router"]["assignments"].find_one({"_id": item["id"]})
            event = assignment["event"] if assignment else {}
            where = (
                f"→ {event['body']['name']} (hạn {event['due_on']})"
                if event["body"]
                else "→ TRIAGE (chờ cán bộ phân loại)"
            )
            print(f"{item['tracking_code']}  [{event['category']['name']}] {where}")
            print(f"    vì: {'; '.join(event['reasons'])}")
            async for delivery in db["notifier"]["deliveries"].find({"item_id": item["id"]}):
                done = await db["notifier"]["delivery_outcomes"].find_one({"_id": delivery["_id"]})
                status = done["status"] if done else "pending"
                detail = delivery.get("address") or (done or {}).get("outcome", {}).get("error", "")
                print(
                    f"    {delivery['recipient_kind']:<8} {delivery['channel']:<6} "
                    f"{status:<7} {detail}"
                )
            print()
    finally:
        await mongo.close()

    mails = sorted((STATE / "mail").glob("*.eml"))
    print(f"demo: {len(mails)} emails in {STATE / 'mail'} (the local mail catcher), newest:")
    for path in mails[-3:]:
        print(f"    {path}")
    print(
        "\ndemo: running — intake http://127.0.0.1:8001/docs · router http://127.0.0.1:8002/metrics"
        " · notifier http://127.0.0.1:8003/health · Kafka 127.0.0.1:9092 · MongoDB (FerretDB)"
        " 127.0.0.1:27017 · stop everything with `make down`"
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
