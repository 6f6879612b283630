"""Our GeoReport answers against the spec's own examples (http://wiki.open311.org/GeoReport_v2,
sections "GET Service List", "POST Service Request", "GET Service Requests", "Errors"): the
same root and item elements, the same fields in the same order. The documents below follow
those examples' structure (element names and order as the spec gives them; values shortened),
and the spec-only client must read them as it reads ours."""

from datetime import timedelta
from xml.etree.ElementTree import Element

import httpx

from support.console import TIEU_CAN_BODY, received, routed
from support.open311 import API_KEY, make_open311_console, parse_xml, rows_of

SPEC_SERVICES = b"""<?xml version="1.0" encoding="utf-8"?>
<services>
  <service>
    <service_code>001</service_code>
    <service_name>Cans left out 24x7</service_name>
    <description>Garbage or recycling cans that have been left out.</description>
    <metadata>true</metadata>
    <type>realtime</type>
    <keywords>lorem, ipsum, dolor</keywords>
    <group>sanitation</group>
  </service>
</services>"""

SPEC_CREATED = b"""<?xml version="1.0" encoding="utf-8"?>
<service_requests>
  <request>
    <service_request_id>293944</service_request_id>
    <service_notice>The City will inspect within 24 hours.</service_notice>
    <account_id/>
  </request>
</service_requests>"""

SPEC_REQUESTS = b"""<?xml version="1.0" encoding="utf-8"?>
<service_requests>
  <request>
    <service_request_id>638344</service_request_id>
    <status>closed</status>
    <status_notes>Duplicate request.</status_notes>
    <service_name>Sidewalk and Curb Issues</service_name>
    <service_code>006</service_code>
    <description></description>
    <agency_responsible></agency_responsible>
    <service_notice></service_notice>
    <requested_datetime>2010-04-14T06:37:38-08:00</requested_datetime>
    <updated_datetime>2010-04-14T06:37:38-08:00</updated_datetime>
    <expected_datetime>2010-04-15T06:37:38-08:00</expected_datetime>
    <address>8TH AVE and JUDAH ST</address>
    <address_id>545483</address_id>
    <zipcode>94122</zipcode>
    <lat>37.762221815</lat>
    <long>-122.4651145</long>
    <media_url>http://city.gov.s3.amazonaws.com/requests/media/638344.jpg</media_url>
  </request>
</service_requests>"""

SPEC_ERRORS = b"""<?xml version="1.0" encoding="utf-8"?>
<errors>
  <error>
    <code>403</code>
    <description>Invalid api_key received -- can't proceed with create_request.</description>
  </error>
</errors>"""


def shape(root: Element) -> tuple[str, list[tuple[str, list[str]]]]:
    """The root's name and, per item, its name and its fields in order."""
    return root.tag, [(item.tag, [field.tag for field in item]) for item in root]


async def test_each_answer_has_the_shape_of_the_specs_example() -> None:
    console = make_open311_console()
    item = received("Đường liên ấp có ổ gà sâu.", at=console.clock() - timedelta(days=1))
    await console.parts.project(item)
    await console.parts.project(routed(item, body=TIEU_CAN_BODY, at=item.received_at))
    transport = httpx.ASGITransport(app=console.app, client=("203.0.113.9", 40000))
    base = "http://console.test/open311/v2"
    async with httpx.AsyncClient(transport=transport, base_url=base) as http:
        services = await http.get("/services.xml")
        created = await http.post(
            "/requests.xml",
            data={"api_key": API_KEY, "service_code": "water", "address_string": "Tiểu Cần",
                  "description": "Mất nước sạch ba ngày."},
        )  # fmt: skip
        one = await http.get(f"/requests/{item.tracking_code}.xml")
        refused = await http.post("/requests.xml", data={"api_key": "wrong"})
    assert created.status_code == 201
    assert refused.status_code == 403
    pairs = [
        (SPEC_SERVICES, services.content),
        (SPEC_CREATED, created.content),
        (SPEC_REQUESTS, one.content),
        (SPEC_ERRORS, refused.content),
    ]
    for spec, ours in pairs:
        spec_root, [spec_item] = shape(parse_xml(spec))
        our_root, our_items = shape(parse_xml(ours))
        assert our_root == spec_root
        assert our_items
        assert all(item == spec_item for item in our_items), (spec_root, our_items)


def test_the_spec_only_client_reads_the_specs_examples() -> None:
    [service] = rows_of(parse_xml(SPEC_SERVICES), root_name="services", item="service")
    assert service["service_code"] == "001"
    [request] = rows_of(parse_xml(SPEC_REQUESTS), root_name="service_requests", item="request")
    assert (request["status"], request["lat"]) == ("closed", "37.762221815")
    [created] = rows_of(parse_xml(SPEC_CREATED), root_name="service_requests", item="request")
    assert created["account_id"] is None
    [error] = rows_of(parse_xml(SPEC_ERRORS), root_name="errors", item="error")
    assert error["code"] == "403"
