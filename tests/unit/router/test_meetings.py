"""Who is told for voters at a meeting: the commune's Front committee and the delegates."""

from hoiam_router.domain import route
from hoiam_router.domain.directory import COMMUNE_FRONT, Directory
from hoiam_router.domain.events import routed_event
from hoiam_router.domain.meetings import representatives
from hoiam_shared.events import Channel, Citizen, MeetingPetition, Origin, OriginKind
from support.router import bundled_directory
from support.samples import make_received

# Phường Phong Phú is in constituency 1 of HĐND thành phố Huế khóa IX (directory.yaml).
PHONG_PHU = "Phường Phong Phú, thành phố Huế"


def directory() -> Directory:
    return bundled_directory()


def test_every_commune_has_a_front_committee_with_a_source_and_generated_contacts() -> None:
    d = directory()
    fronts = [b for b in d.bodies if b.key == COMMUNE_FRONT]
    communes = [b for b in d.bodies if b.key == "ubnd-xa"]
    assert len(fronts) == len(communes) == 3321
    assert all(b.source and "http" in b.source for b in fronts)
    assert all(b.generated for b in fronts)
    assert all(c.address.endswith(".example") for b in fronts for c in b.contacts)
    assert all(d.find(b.parent or "") is not None for b in fronts)


def test_no_petition_is_routed_to_a_front_committee() -> None:
    assert all(rule.body != COMMUNE_FRONT for rule in directory().competence)


def test_the_constituency_and_the_delegates_present_by_name_are_told() -> None:
    d = directory()
    [commune] = [
        b.communes[0]
        for b in d.bodies
        if b.key == "ubnd-xa" and b.name.endswith("phường Phong Phú") and "46" in b.provinces
    ]
    found = representatives(
        d,
        commune=commune,
        province="46",
        present=("Đồng chí Trần Kiêm Hảo", "ong le ngoc bao", "Người Không Có"),
    )
    assert found.front is not None
    assert found.front.id == f"{commune}-{COMMUNE_FRONT}"
    names = [c.name for c in found.councillors]
    # the four of constituency 1 first, then the two present from constituencies 4 and 2
    assert names[:4] == ["Võ Văn Chí Công", "Hoàng Hải Minh", "Nguyễn Xuân Sơn", "Nguyễn Tài Tuệ"]
    assert names[4:] == ["Lê Ngọc Bảo", "Trần Kiêm Hảo"]


def test_a_namesake_in_another_province_is_not_the_delegate_who_came() -> None:
    found = representatives(directory(), commune=None, province="86", present=("Trần Kiêm Hảo",))
    assert found.councillors == ()
    assert found.front is not None
    assert found.front.id == "86-mttq"  # no commune known: the province's Front


def test_a_meeting_item_is_routed_with_its_front_and_delegates() -> None:
    item = make_received(
        "Đề nghị nâng cấp tuyến đường liên tổ dân phố bị xuống cấp", address=PHONG_PHU, email=None
    ).model_copy(
        update={
            "channel": Channel.MEETING,
            "citizen": Citizen(name="Cử tri tổ dân phố 3", preferred_channel=Channel.MEETING),
            "origin": Origin(kind=OriginKind.MEETING, meeting_id="m1", session_id="s1"),
            "meeting": MeetingPetition(kind="petition", delegates=("Trần Kiêm Hảo",)),
        }
    )
    decision = route(item, directory(), fallback_province=None)
    event = routed_event(item, decision, at=item.received_at)
    assert event.front is not None
    assert event.front.name == "Ủy ban Mặt trận Tổ quốc Việt Nam phường Phong Phú"
    assert event.front.contacts
    assert "Trần Kiêm Hảo" in [c.name for c in event.councillors]
    assert all(c.contacts for c in event.councillors)


def test_an_item_from_a_person_names_no_front() -> None:
    item = make_received("Đề nghị nâng cấp tuyến đường bị xuống cấp", address=PHONG_PHU)
    decision = route(item, directory(), fallback_province=None)
    assert decision.front is None
