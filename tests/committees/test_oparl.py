"""The OParl 1.1 open-data API: every object it gives validates against the OParl schemas,
every URL it hands out resolves, private business never leaks, lists page, filter and
report deletions as the specification says, and each page costs a fixed number of queries."""

import datetime as dt
import json
import re
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_script_prefix, resolve, reverse, set_script_prefix

from committees.models import (
    Attendance,
    AttendanceStatus,
    ConsultationRole,
    DocumentKind,
    Meeting,
    MeetingState,
    MembershipRole,
    Organization,
    OrganizationType,
    Post,
)
from committees.oparl import shapes as oparl
from committees.oparl.urls import PLURALS, SEGMENTS
from organisation.roles import Role
from portal_kit.time import LONDON
from tests.committees.factories import (
    AgendaItemFactory,
    ConsultationFactory,
    DocumentFactory,
    LegislativeTermFactory,
    LocationFactory,
    MeetingFactory,
    MembershipFactory,
    OrganizationFactory,
    PaperFactory,
    PersonFactory,
    PrivateAgendaItemFactory,
    PrivatePaperFactory,
    ResolutionFactory,
    approve_fully,
)
from tests.factories import CouncilFactory
from tests.helpers import at

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"
API = "/oparl/v1/"
SCHEMA_DIR = Path(__file__).parent / "oparl_schema"
ALL_TYPES = {
    "System",
    "Body",
    "LegislativeTerm",
    "Location",
    "Organization",
    "Person",
    "Membership",
    "Meeting",
    "AgendaItem",
    "Paper",
    "Consultation",
    "File",
}
#: Words of private business planted in the council below: none may reach the API.
SECRETS = ("EXEMPT", "Confidential", "bidder prices", "Unpublished")


# Validating against the OParl schemas --------------------------------------------------------


def _format_checker() -> jsonschema.FormatChecker:
    """The string formats OParl uses, as its chapter on JSON output defines them."""
    checker = jsonschema.FormatChecker(formats=())

    @checker.checks("url")
    def is_url(value):
        return not isinstance(value, str) or re.fullmatch(r"https?://\S+", value) is not None

    @checker.checks("date", raises=ValueError)
    def is_date(value):
        if isinstance(value, str):
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), value
            dt.date.fromisoformat(value)
        return True

    @checker.checks("date-time", raises=ValueError)
    def is_date_time(value):
        if isinstance(value, str):
            pattern = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}"
            assert re.fullmatch(pattern, value), value
            dt.datetime.fromisoformat(value)
        return True

    return checker


FORMATS = _format_checker()


def _schema(type_name: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{type_name}.json").read_text())


SCHEMAS = {name: _schema(name) for name in ALL_TYPES}


def validate(obj: dict, seen: dict | None = None, *, expected: str | None = None) -> dict:
    """Validate an OParl object against its schema (Draft 4, as OParl 1.1's schemas are
    written; they carry no $ref), then every object embedded in it against the schema its
    property names ("schema": "File.json"). Returns {type name: count validated}."""
    seen = {} if seen is None else seen
    type_name = obj["type"].removeprefix("https://schema.oparl.org/1.1/")
    if expected:
        assert type_name == expected, f"{obj['id']}: expected a {expected}"
    schema = SCHEMAS[type_name]
    validator_class = jsonschema.validators.validator_for(schema, jsonschema.Draft4Validator)
    validator_class(schema, format_checker=FORMATS).validate(obj)
    seen[type_name] = seen.get(type_name, 0) + 1
    for prop, spec in schema["properties"].items():
        if prop not in obj:
            continue
        if spec.get("type") == "object" and "schema" in spec:
            validate(obj[prop], seen, expected=spec["schema"].removesuffix(".json"))
        elif spec.get("type") == "array" and "schema" in spec.get("items", {}):
            for each in obj[prop]:
                validate(each, seen, expected=spec["items"]["schema"].removesuffix(".json"))
    return seen


def validate_answer(data: dict, seen: dict) -> None:
    """An object, or a list page whose every object validates."""
    if "data" in data:
        assert set(data) == {"data", "pagination", "links"}
        for obj in data["data"]:
            validate(obj, seen)
    else:
        validate(data, seen)


def urls_in(value):
    if isinstance(value, dict):
        for each in value.values():
            yield from urls_in(each)
    elif isinstance(value, list):
        for each in value:
            yield from urls_in(each)
    elif isinstance(value, str) and value.startswith(("http://", "https://")):
        yield value


def crawl(client, start: str = API) -> tuple[dict, dict]:
    """Follow every URL of the API in every answer, from the endpoint; each must give 200.
    Other URLs of this site (the public pages in `web`) must name a page of the portal.
    Returns ({API path: response}, {other path: the API URL that gave it})."""
    fetched, pages = {}, {}
    queue = [(ORIGIN + start, "the start")]
    while queue:
        url, linked_from = queue.pop()
        path = url.removeprefix(ORIGIN)
        if not url.startswith(ORIGIN) or path in fetched:
            continue
        if not path.startswith(API):
            resolve(urlsplit(path).path)  # raises Resolver404 for a dangling page
            pages[path] = linked_from
            continue
        response = client.get(path)
        fetched[path] = response
        assert response.status_code == 200, f"{url} (from {linked_from}): {response.status_code}"
        if response["Content-Type"].startswith("application/json"):
            queue.extend((found, url) for found in urls_in(response.json()))
    return fetched, pages


def get_json(client, path: str, status: int = 200) -> dict:
    response = client.get(path)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.json()


def api_url(name: str, **kwargs) -> str:
    return reverse(f"oparl:{name}", kwargs=kwargs or None)


def absolute(name: str, **kwargs) -> str:
    return ORIGIN + api_url(name, **kwargs)


# A council as in April 2017 ----------------------------------------------------------------


def published_meeting(organization, start, **kwargs):
    return MeetingFactory(
        organizations=[organization],
        start=start,
        end=start + dt.timedelta(hours=2),
        published=True,
        **kwargs,
    )


@pytest.fixture
def council():
    """Coventry in April 2017: three committees with members, a report's journey through
    three published meetings, private business at the last one, and an agenda not yet
    published."""
    body = CouncilFactory()
    term = LegislativeTermFactory()
    ethics = OrganizationFactory(name="Ethics Committee")
    audit = OrganizationFactory(name="Audit and Procurement Committee")
    cabinet_member = OrganizationFactory(
        name="Cabinet Member for Policy and Leadership",
        organization_type=OrganizationType.CABINET_MEMBER,
        location=LocationFactory(room="Diamond Room 2"),
    )
    duggins = PersonFactory(given_name="George", family_name="Duggins")
    blundell = PersonFactory(given_name="John", family_name="Blundell")
    MembershipFactory(
        person=duggins, organization=cabinet_member, role=MembershipRole.CABINET_MEMBER
    )
    MembershipFactory(
        person=blundell,
        organization=cabinet_member,
        role=MembershipRole.BY_INVITATION,
        invitation_role=MembershipRole.SHADOW_CABINET_MEMBER,
        voting_right=False,
    )
    MembershipFactory(person=blundell, organization=audit, role=MembershipRole.CHAIR)
    Post.objects.create(
        title="Cabinet Member for Policy and Leadership",
        organization=cabinet_member,
        holder=duggins,
    )

    march = published_meeting(ethics, at(2017, 3, 17, 10))
    april = published_meeting(audit, at(2017, 4, 3))
    decision = published_meeting(cabinet_member, at(2017, 4, 13))
    policy = approve_fully(PaperFactory(title="Whistleblowing Policy", key_decision=True))
    for meeting, role in (
        (march, ConsultationRole.RECOMMENDATION),
        (april, ConsultationRole.RECOMMENDATION),
        (decision, ConsultationRole.DECISION),
    ):
        item = AgendaItemFactory(meeting=meeting, title="Whistleblowing Policy")
        ConsultationFactory(paper=policy, agenda_item=item, role=role, outcome="Approved")
    journey_item = policy.consultations.get(meeting=decision).agenda_item
    ResolutionFactory(agenda_item=journey_item, text="Approves the revised policy.")
    report = DocumentFactory(paper=policy)
    appendix = DocumentFactory(paper=policy, kind=DocumentKind.APPENDIX, title="Appendix 1")

    secret_item = PrivateAgendaItemFactory(
        meeting=decision,
        description="EXEMPT item description",
        public_interest_statement="EXEMPT public interest",
    )
    secret_paper = PrivatePaperFactory()
    ConsultationFactory(
        paper=secret_paper,
        agenda_item=secret_item,
        recommendation="EXEMPT recommendation",
        outcome="EXEMPT outcome",
    )
    ResolutionFactory(agenda_item=secret_item, text="EXEMPT resolution")
    secret_file = DocumentFactory(
        paper=secret_paper, title="EXEMPT appendix: bidder prices", text="EXEMPT prices"
    )

    decision.state = MeetingState.HELD
    decision.minutes_published_at = at(2017, 4, 20, 9)
    decision.save()
    minutes = DocumentFactory(
        paper=None, meeting=decision, kind=DocumentKind.MINUTES, title="Minutes"
    )
    Attendance.objects.create(meeting=decision, person=duggins, status=AttendanceStatus.PRESENT)

    future = MeetingFactory(organizations=[cabinet_member])
    hidden_item = AgendaItemFactory(meeting=future, title="Unpublished item")
    hidden_paper = PaperFactory(title="Unpublished paper")
    ConsultationFactory(paper=hidden_paper, agenda_item=hidden_item)
    hidden_file = DocumentFactory(paper=hidden_paper, title="Unpublished report")
    return SimpleNamespace(**locals())


# The endpoint, the body and every object -----------------------------------------------------


def test_the_endpoint_is_an_oparl_1_1_system_pointing_to_the_body_list(client, council):
    system = get_json(client, API)

    assert system["id"] == ORIGIN + API
    assert system["oparlVersion"] == "https://schema.oparl.org/1.1/"
    assert system["body"] == absolute("body_list")
    assert system["name"] == "Coventry City Council Governance Portal"
    validate(system)
    bodies = get_json(client, api_url("body_list"))
    assert [b["id"] for b in bodies["data"]] == [absolute("body", pk=council.body.pk)]


def test_the_body_links_every_list_and_embeds_the_legislative_terms(client, council):
    body = get_json(client, api_url("body", pk=council.body.pk))

    validate(body)
    assert body["name"] == "Coventry City Council"
    assert body["system"] == ORIGIN + API
    for prop, name in {
        "organization": "body_organizations",
        "person": "body_persons",
        "meeting": "body_meetings",
        "paper": "body_papers",
        "agendaItem": "body_agenda_items",
        "consultation": "body_consultations",
        "file": "body_files",
        "locationList": "body_locations",
        "legislativeTermList": "body_legislative_terms",
        "membership": "body_memberships",
    }.items():
        assert body[prop] == absolute(name, pk=council.body.pk)
    assert [t["name"] for t in body["legislativeTerm"]] == ["2016 to 2018"]


def test_every_url_the_api_gives_resolves_and_every_object_validates(client, council):
    """The crawler: from the endpoint, every same-host URL in every answer gives 200 (objects,
    lists and their pages, files, public pages), and every object of all twelve types
    validates against its OParl schema, embedded ones included."""
    fetched, _ = crawl(client)

    seen = {}
    for path, response in fetched.items():
        if path.startswith(API) and not path.endswith(("/access/", "/download/")):
            assert response["Content-Type"] == "application/json; charset=utf-8", path
            assert response["Access-Control-Allow-Origin"] == "*", path
            validate_answer(response.json(), seen)
    assert set(seen) == ALL_TYPES
    for document in (council.report, council.appendix, council.minutes):
        assert api_url("file_download", pk=document.pk) in fetched
        assert api_url("file_access", pk=document.pk) in fetched


def test_every_public_page_the_api_points_to_opens(client, council):
    """`web`, `website` and `product` point at the portal's public pages: each opens."""
    _, pages = crawl(client)

    assert "/" in pages
    for path, linked_from in pages.items():
        response = client.get(path)
        assert response.status_code == 200, f"{path} (from {linked_from}): {response.status_code}"


def test_private_and_unpublished_business_appears_nowhere_in_the_crawl(client, council):
    fetched, _ = crawl(client)

    for path, response in fetched.items():
        if path.startswith(API) and response["Content-Type"].startswith("application/json"):
            text = response.content.decode()
            for secret in SECRETS:
                assert secret not in text, f"{secret!r} in {path}"
    never_given = {
        api_url("paper", pk=council.secret_paper.pk),
        api_url("file", pk=council.secret_file.pk),
        api_url("file_download", pk=council.secret_file.pk),
        api_url("paper", pk=council.hidden_paper.pk),
        api_url("agenda_item", pk=council.hidden_item.pk),
        api_url("file", pk=council.hidden_file.pk),
    }
    assert not never_given & fetched.keys()
    # The private item itself is public: its number and title only.
    assert api_url("agenda_item", pk=council.secret_item.pk) in fetched


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("paper", "secret_paper"),
        ("file", "secret_file"),
        ("file_access", "secret_file"),
        ("file_download", "secret_file"),
        ("paper", "hidden_paper"),
        ("agenda_item", "hidden_item"),
        ("file", "hidden_file"),
        ("file_download", "hidden_file"),
    ],
)
def test_private_or_unpublished_objects_are_not_found_even_for_governance_services(
    client_for, council, name, secret
):
    client = client_for(Role.GOVERNANCE_SERVICES)

    error = get_json(client, api_url(name, pk=getattr(council, secret).pk), status=404)

    assert error["type"] == "https://schema.oparl.org/1.1/Error"
    assert error["message"] == "There is no such object or list."


def test_a_private_item_shows_only_its_number_title_and_exemption(client, council):
    item = get_json(client, api_url("agenda_item", pk=council.secret_item.pk))

    validate(item)
    assert item["public"] is False
    assert item["name"] == "Exempt report: contract award"
    assert item["keyword"] == [
        "Exempt information: paragraph 3 of Schedule 12A to the Local Government Act 1972"
    ]
    assert set(item) - {"web"} == {
        "id",
        "type",
        "meeting",
        "number",
        "order",
        "name",
        "public",
        "keyword",
        "created",
        "modified",
    }


def test_a_public_item_gives_its_consultation_and_published_resolution(client, council):
    item = get_json(client, api_url("agenda_item", pk=council.journey_item.pk))

    consultation = council.policy.consultations.get(meeting=council.decision)
    assert item["public"] is True
    assert item["consultation"] == absolute("consultation", pk=consultation.pk)
    assert item["resolutionText"] == "1. Approves the revised policy."
    assert item["result"] == "Approved"


def test_a_meeting_lists_its_agenda_in_the_printed_order_and_numbers_order_through_it(client):
    """1, 2, 2a), 2b), 3: each item followed by its sub-items, `order` counting through the
    whole meeting (a real client showed 1, a), 2, b), 3 from the sub-items' own positions)."""
    CouncilFactory()
    meeting = MeetingFactory(published=True)
    first = AgendaItemFactory(meeting=meeting, position=1, number="1")
    second = AgendaItemFactory(meeting=meeting, position=2, number="2")
    sub_b = AgendaItemFactory(meeting=meeting, parent=second, position=2, number="b)")
    sub_a = AgendaItemFactory(meeting=meeting, parent=second, position=1, number="a)")
    third = AgendaItemFactory(meeting=meeting, position=3, number="3")

    embedded = get_json(client, api_url("meeting", pk=meeting.pk))["agendaItem"]

    expected = [first, second, sub_a, sub_b, third]
    assert [i["id"] for i in embedded] == [absolute("agenda_item", pk=i.pk) for i in expected]
    assert [i["order"] for i in embedded] == [1, 2, 3, 4, 5]
    for position, item in enumerate(expected, start=1):
        assert get_json(client, api_url("agenda_item", pk=item.pk))["order"] == position


def test_an_organisation_always_has_a_short_name(client):
    body = CouncilFactory()
    OrganizationFactory(name="Cabinet Member for Policy and Leadership", short_name="")
    OrganizationFactory(name="Audit and Procurement Committee", short_name="Audit")

    listed = get_json(client, api_url("body_organizations", pk=body.pk))["data"]

    assert sorted(o["shortName"] for o in listed) == [
        "Audit",
        "Cabinet Member for Policy and Leadership",
    ]


def test_a_meeting_embeds_its_published_agenda_minutes_and_place(client, council):
    meeting = get_json(client, api_url("meeting", pk=council.decision.pk))

    validate(meeting)
    assert meeting["name"] == "Cabinet Member for Policy and Leadership"
    assert meeting["start"] == "2017-04-13T14:00:00+01:00"
    assert meeting["organization"] == [absolute("organization", pk=council.cabinet_member.pk)]
    assert meeting["location"]["id"] == absolute("location", pk=council.decision.location_id)
    assert [i["name"] for i in meeting["agendaItem"]] == [
        "Whistleblowing Policy",
        "Exempt report: contract award",
    ]
    assert "meeting" not in meeting["agendaItem"][0]  # no back-reference when embedded
    assert meeting["resultsProtocol"]["id"] == absolute("file", pk=council.minutes.pk)
    assert meeting["participant"] == [absolute("person", pk=council.duggins.pk)]


def test_a_meeting_whose_agenda_is_not_published_shows_no_items(client, council):
    meeting = get_json(client, api_url("meeting", pk=council.future.pk))

    validate(meeting)
    assert meeting["meetingState"] == "Scheduled"
    assert "agendaItem" not in meeting
    assert "resultsProtocol" not in meeting


def test_a_report_shows_its_journey_through_three_meetings(client, council):
    paper = get_json(client, api_url("paper", pk=council.policy.pk))

    validate(paper)
    steps = paper["consultation"]
    assert [s["meeting"] for s in steps] == [
        absolute("meeting", pk=m.pk) for m in (council.march, council.april, council.decision)
    ]
    assert [s["role"] for s in steps] == [
        "For recommendation",
        "For recommendation",
        "For decision",
    ]
    assert [s["authoritative"] for s in steps] == [False, False, True]
    assert paper["mainFile"]["id"] == absolute("file", pk=council.report.pk)
    assert [f["name"] for f in paper["auxiliaryFile"]] == ["Appendix 1"]
    assert paper["keyword"] == ["Key decision"]


def test_people_and_memberships_point_at_each_other(client, council):
    person = get_json(client, api_url("person", pk=council.blundell.pk))

    validate(person)
    assert person["name"] == "Councillor J Blundell"  # Person.name, as every output writes it
    roles = {m["organization"]: m["role"] for m in person["membership"]}
    assert roles == {
        absolute("organization", pk=council.cabinet_member.pk): (
            "By invitation (Shadow Cabinet Member)"
        ),
        absolute("organization", pk=council.audit.pk): "Chair",
    }
    membership = get_json(client, person["membership"][0]["id"].removeprefix(ORIGIN))
    assert membership["person"] == person["id"]
    organization = get_json(client, api_url("organization", pk=council.cabinet_member.pk))
    assert membership["id"] in organization["membership"]
    assert organization["post"] == ["Cabinet Member for Policy and Leadership"]


def test_an_organisation_lists_its_meetings(client, council):
    organization = get_json(client, api_url("organization", pk=council.cabinet_member.pk))

    meetings = get_json(client, organization["meeting"].removeprefix(ORIGIN))
    assert [m["id"] for m in meetings["data"]] == [
        absolute("meeting", pk=council.decision.pk),
        absolute("meeting", pk=council.future.pk),
    ]


# Files -------------------------------------------------------------------------------------


def test_a_file_downloads_as_an_attachment_with_its_bytes(client, council):
    response = client.get(api_url("file_download", pk=council.report.pk))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == council.report.file.open("rb").read()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="document.pdf"'
    assert response["ETag"] == f'"{council.report.sha256}"'


def test_a_file_access_url_shows_the_file_in_place(client, council):
    response = client.get(api_url("file_access", pk=council.report.pk))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert not response["Content-Disposition"].startswith("attachment")


def test_a_file_of_an_unexpected_type_is_never_shown_in_place(client, council):
    document = DocumentFactory(paper=council.policy, mime_type="text/html", content=b"<p>Hi</p>")

    response = client.get(api_url("file_access", pk=document.pk))

    assert response["Content-Type"] == "application/octet-stream"


def test_a_file_names_its_paper_and_meeting(client, council):
    report = get_json(client, api_url("file", pk=council.report.pk))
    minutes = get_json(client, api_url("file", pk=council.minutes.pk))

    assert report["paper"] == [absolute("paper", pk=council.policy.pk)]
    assert report["downloadUrl"] == absolute("file_download", pk=council.report.pk)
    assert report["accessUrl"] == absolute("file_access", pk=council.report.pk)
    assert minutes["meeting"] == [absolute("meeting", pk=council.decision.pk)]


# Lists: pages, filters, deletions ----------------------------------------------------------


def _locations_page(client, body, query=""):
    return get_json(client, api_url("body_locations", pk=body.pk) + query)


def test_lists_page_at_100_with_links_to_every_page(client):
    body = CouncilFactory()
    LocationFactory.create_batch(101)

    first = _locations_page(client, body)

    assert len(first["data"]) == 100
    base = absolute("body_locations", pk=body.pk)
    _assert_first_of_two_pages(first, base, total=101, per_page=100)
    second = get_json(client, first["links"]["next"].removeprefix(ORIGIN))
    assert len(second["data"]) == 1
    assert second["links"]["prev"] == base
    assert "next" not in second["links"]


def _assert_first_of_two_pages(first: dict, base: str, *, total: int, per_page: int):
    assert first["pagination"] == {
        "totalElements": total,
        "elementsPerPage": per_page,
        "currentPage": 1,
        "totalPages": 2,
    }
    assert first["links"] == {
        "first": base,
        "self": base,
        "next": f"{base}?page=2",
        "last": f"{base}?page=2",
    }


def test_following_next_links_gives_every_object_once_in_a_stable_order(client):
    body = CouncilFactory()
    locations = LocationFactory.create_batch(5)

    ids, url, pages = [], api_url("body_locations", pk=body.pk) + "?limit=2", 0
    while url:
        page = get_json(client, url)
        pages += 1
        assert page["pagination"]["elementsPerPage"] == 2
        ids += [obj["id"] for obj in page["data"]]
        url = page["links"].get("next", "").removeprefix(ORIGIN)

    assert pages == 3
    assert ids == [absolute("location", pk=loc.pk) for loc in locations]


def _embedding(kind):
    """One more object of a list whose objects embed others, visible to the public."""
    if kind == "meeting":
        return MeetingFactory(published=True)
    return ConsultationFactory(agenda_item=AgendaItemFactory(meeting=_embedding("meeting"))).paper


@pytest.mark.parametrize(("kind", "name"), [("meeting", "body_meetings"), ("paper", "body_papers")])
def test_lists_of_objects_that_embed_others_page_at_25(client, kind, name):
    body = CouncilFactory()
    made = [_embedding(kind) for _ in range(26)]
    base = absolute(name, pk=body.pk)

    first = get_json(client, api_url(name, pk=body.pk))

    assert oparl.page_size(kind) == 25
    assert len(first["data"]) == 25
    _assert_first_of_two_pages(first, base, total=26, per_page=25)
    second = get_json(client, first["links"]["next"].removeprefix(ORIGIN))
    assert second["links"]["prev"] == base
    assert [o["id"] for o in first["data"] + second["data"]] == [
        absolute(kind, pk=obj.pk) for obj in sorted(made, key=lambda o: o.pk)
    ]
    # A client may ask for fewer, never for more; the canonical links say so.
    more = get_json(client, api_url(name, pk=body.pk) + "?limit=100")
    assert len(more["data"]) == 25
    assert more["links"]["self"] == base
    fewer = get_json(client, api_url(name, pk=body.pk) + "?limit=10&page=2")
    assert fewer["pagination"]["elementsPerPage"] == 10
    assert fewer["pagination"]["totalPages"] == 3
    assert fewer["links"]["next"] == f"{base}?limit=10&page=3"


def test_the_limit_is_capped_at_100(client):
    body = CouncilFactory()
    LocationFactory.create_batch(101)

    page = _locations_page(client, body, "?limit=500")

    assert len(page["data"]) == 100
    assert page["pagination"]["elementsPerPage"] == 100


def test_a_page_past_the_end_is_not_found(client):
    body = CouncilFactory()
    LocationFactory()

    for page in ("2", "99999999999999999999999"):
        url = api_url("body_locations", pk=body.pk) + f"?page={page}"
        assert get_json(client, url, status=404)["type"] == "https://schema.oparl.org/1.1/Error"


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("?modified_since=yesterday", "modified_since"),
        ("?created_until=13/04/2017", "created_until"),
        ("?created_since=2017-13-45T00:00:00Z", "created_since"),
        ("?limit=%C2%B2", "limit"),
        ("?page=0", "page"),
        ("?limit=lots", "limit"),
    ],
)
def test_a_parameter_the_api_cannot_read_is_a_400_saying_which(client, query, named):
    body = CouncilFactory()

    error = get_json(client, api_url("body_locations", pk=body.pk) + query, status=400)

    assert error["type"] == "https://schema.oparl.org/1.1/Error"
    assert error["message"].startswith(named)


def _stamp(organization, *, created, modified):
    Organization.objects.filter(pk=organization.pk).update(created_at=created, updated_at=modified)


def test_lists_filter_by_created_and_modified_and_keep_the_filters_in_their_links(client):
    body = CouncilFactory()
    old, changed, new = OrganizationFactory.create_batch(3)
    _stamp(old, created=at(2016, 5, 1), modified=at(2016, 6, 1))
    _stamp(changed, created=at(2016, 5, 1), modified=at(2017, 4, 10))
    _stamp(new, created=at(2017, 4, 5), modified=at(2017, 4, 5))
    organizations = api_url("body_organizations", pk=body.pk)

    def names(query):
        return [o["name"] for o in get_json(client, organizations + query)["data"]]

    assert names("?modified_since=2017-04-01T00%3A00%3A00%2B01%3A00") == [changed.name, new.name]
    assert names("?modified_until=2017-04-06T00:00:00%2B01:00") == [old.name, new.name]
    assert names("?created_since=2017-01-01T00:00:00Z") == [new.name]
    assert names("?created_until=2017-01-01T00:00:00Z") == [old.name, changed.name]
    # An unencoded "+" (read as a space) still means the offset the client wrote.
    assert names("?modified_since=2017-04-01T00:00:00+01:00") == [changed.name, new.name]
    page = get_json(client, organizations + "?modified_since=2017-04-01T00:00:00Z&limit=1")
    next_query = parse_qs(urlsplit(page["links"]["next"]).query)
    assert next_query == {
        "modified_since": ["2017-04-01T01:00:00+01:00"],
        "limit": ["1"],
        "page": ["2"],
    }


def _deletable(kind):
    """An object of `kind` the public can see, with nothing that protects it from deletion."""
    if kind == "meeting":
        return MeetingFactory(published=True)
    if kind == "agenda_item":
        return AgendaItemFactory(meeting=MeetingFactory(published=True))
    if kind == "paper":
        item = AgendaItemFactory(meeting=MeetingFactory(published=True))
        return ConsultationFactory(agenda_item=item).paper
    return {"organization": OrganizationFactory, "person": PersonFactory}[kind]()


LIST_NAMES = {
    "meeting": "body_meetings",
    "agenda_item": "body_agenda_items",
    "paper": "body_papers",
    "organization": "body_organizations",
    "person": "body_persons",
}


@pytest.mark.parametrize("kind", sorted(LIST_NAMES))
def test_a_deleted_object_is_listed_as_deleted_only_when_modified_since_is_given(client, kind):
    body = CouncilFactory()
    gone = _deletable(kind)
    pk, created = gone.pk, gone.created_at
    gone.delete()
    listing = api_url(LIST_NAMES[kind], pk=body.pk)
    url = absolute(kind, pk=pk)

    assert url not in [o["id"] for o in get_json(client, listing)["data"]]
    since = get_json(client, listing + "?modified_since=2017-01-01T00:00:00Z")["data"]
    stub = next(o for o in since if o["id"] == url)
    assert stub["deleted"] is True
    assert stub["created"] == created.astimezone(LONDON).replace(microsecond=0).isoformat()
    assert set(stub) <= {"id", "type", "created", "modified", "deleted", "order"}
    validate(stub)
    # Deleted after the moment asked about: listed; asked about a later moment: not.
    later = get_json(client, listing + "?modified_since=2099-01-01T00:00:00Z")["data"]
    assert url not in [o["id"] for o in later]
    # Its URL still answers, with what stays of it.
    assert get_json(client, api_url(kind, pk=pk)) == stub


def test_a_deleted_private_report_is_never_listed(client):
    body = CouncilFactory()
    item = PrivateAgendaItemFactory(meeting=MeetingFactory(published=True))
    paper = ConsultationFactory(agenda_item=item, paper=PrivatePaperFactory()).paper
    pk = paper.pk
    paper.delete()

    since = get_json(client, api_url("body_papers", pk=body.pk) + "?modified_since=2017-01-01")

    assert since["data"] == []
    get_json(client, api_url("paper", pk=pk), status=404)


def test_deleted_objects_come_after_live_ones_across_pages(client):
    body = CouncilFactory()
    kept = OrganizationFactory.create_batch(2)
    gone = OrganizationFactory.create_batch(2)
    gone_ids = [o.pk for o in gone]
    for organization in gone:
        organization.delete()
    listing = api_url("body_organizations", pk=body.pk) + "?modified_since=2017-01-01T00:00:00Z"

    first = get_json(client, listing + "&limit=3")
    second = get_json(client, first["links"]["next"].removeprefix(ORIGIN))

    assert first["pagination"]["totalElements"] == 4
    assert [o["id"] for o in first["data"] + second["data"]] == [
        *(absolute("organization", pk=o.pk) for o in kept),
        *(absolute("organization", pk=pk) for pk in gone_ids),
    ]
    assert [o.get("deleted", False) for o in first["data"] + second["data"]] == [
        False,
        False,
        True,
        True,
    ]


# HTTP: CORS, errors, methods -----------------------------------------------------------------


def test_a_cors_preflight_is_answered(client, council):
    response = client.options(
        api_url("body_meetings", pk=council.body.pk),
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )

    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]


def test_files_can_be_fetched_from_any_origin_too(client, council):
    response = client.get(api_url("file_download", pk=council.report.pk))

    assert response["Access-Control-Allow-Origin"] == "*"


def test_the_api_only_reads(client, council):
    error = client.post(api_url("body_meetings", pk=council.body.pk))

    assert error.status_code == 405
    assert error["Allow"] == "GET, HEAD, OPTIONS"
    assert error.json()["type"] == "https://schema.oparl.org/1.1/Error"


def test_an_unknown_address_under_the_api_is_an_oparl_error(client):
    error = get_json(client, f"{API}no-such-list/", status=404)

    assert error == {
        "type": "https://schema.oparl.org/1.1/Error",
        "message": "There is no such object or list.",
        "debug": f"{API}no-such-list/",
    }


def test_an_address_without_its_closing_slash_is_sent_to_the_canonical_one(client, council):
    response = client.get(api_url("meeting", pk=council.decision.pk).rstrip("/"))

    assert response.status_code == 301
    assert response["Location"] == api_url("meeting", pk=council.decision.pk)


def test_an_unknown_body_has_no_lists(client):
    CouncilFactory()

    get_json(client, api_url("body", pk=999), status=404)
    get_json(client, api_url("body_meetings", pk=999), status=404)


def test_the_answer_is_the_same_whoever_is_signed_in(client_for, council):
    anonymous = client_for(None).get(api_url("meeting", pk=council.decision.pk)).json()
    manager = client_for(Role.GOVERNANCE_SERVICES)

    assert manager.get(api_url("meeting", pk=council.decision.pk)).json() == anonymous


def test_omit_internal_leaves_out_embedded_lists(client, council):
    meeting = get_json(client, api_url("body_meetings", pk=council.body.pk) + "?omit_internal=true")

    decision = next(
        m for m in meeting["data"] if m["id"] == absolute("meeting", pk=council.decision.pk)
    )
    assert "agendaItem" not in decision
    assert meeting["links"]["self"].endswith("?omit_internal=true")


# Query counts -------------------------------------------------------------------------------


def _full_meeting(organization=None):
    organization = organization or OrganizationFactory()
    meeting = published_meeting(organization, at(2017, 4, 13))
    Meeting.objects.filter(pk=meeting.pk).update(minutes_published_at=at(2017, 4, 20))
    item = AgendaItemFactory(meeting=meeting)
    consultation = ConsultationFactory(agenda_item=item)
    ResolutionFactory(agenda_item=item)
    PrivateAgendaItemFactory(meeting=meeting)
    DocumentFactory(paper=consultation.paper)
    DocumentFactory(paper=None, meeting=meeting, kind=DocumentKind.MINUTES)
    Attendance.objects.create(
        meeting=meeting, person=PersonFactory(), status=AttendanceStatus.PRESENT
    )
    return meeting


def _person():
    person = PersonFactory()
    membership = MembershipFactory(person=person)
    Post.objects.create(title="Lord Mayor", holder=person, organization=membership.organization)


def _organization():
    organization = OrganizationFactory(location=LocationFactory())
    MembershipFactory(organization=organization)
    Post.objects.create(title="Chair", holder=PersonFactory(), organization=organization)


#: list URL name -> (how to make one more object of it, queries the page costs)
LISTS = {
    # council, count, page, memberships, posts
    "body_organizations": (_organization, 5),
    "body_persons": (_person, 5),
    # council, count, page
    "body_memberships": (MembershipFactory, 3),
    # council, count, page, organisations, files, items, items' consultations and
    # resolutions, attendance
    "body_meetings": (_full_meeting, 9),
    # council, count, page, consultations, resolutions
    "body_agenda_items": (_full_meeting, 5),
    # council, count, page, files, consultations
    "body_papers": (_full_meeting, 5),
    "body_consultations": (_full_meeting, 3),
    "body_files": (_full_meeting, 3),
    "body_locations": (LocationFactory, 3),
    "body_legislative_terms": (LegislativeTermFactory, 3),
}


@pytest.mark.parametrize("name", sorted(LISTS))
def test_each_list_costs_the_same_queries_for_1_or_50_objects(
    client, django_assert_num_queries, name
):
    body = CouncilFactory()
    make, queries = LISTS[name]
    url = api_url(name, pk=body.pk)
    make()
    with django_assert_num_queries(queries):
        one = get_json(client, url)
    for _ in range(49):
        make()
    with django_assert_num_queries(queries):
        fifty = get_json(client, url)
    assert len(fifty["data"]) > len(one["data"]) > 0
    # Deleted objects, where the API reports them, cost a count and a page more.
    extra = 0 if name in ("body_consultations", "body_files") else 2
    with django_assert_num_queries(queries + extra):
        get_json(client, url + "?modified_since=2017-01-01T00:00:00Z")


def test_an_organisations_meetings_cost_the_same_for_1_or_50(client, django_assert_num_queries):
    organization = OrganizationFactory()
    url = api_url("organization_meetings", pk=organization.pk)
    _full_meeting(organization)
    # organisation, count, page, and the meeting list's six prefetches
    with django_assert_num_queries(9):
        get_json(client, url)
    for _ in range(49):
        _full_meeting(organization)
    with django_assert_num_queries(9):
        page = get_json(client, url)
    assert len(page["data"]) == oparl.page_size("meeting")
    assert page["pagination"]["totalElements"] == 50


def test_a_meeting_costs_the_same_with_1_or_50_items(client, django_assert_num_queries):
    CouncilFactory()
    meeting = _full_meeting()
    url = api_url("meeting", pk=meeting.pk)
    # council, meeting, and its six prefetches
    with django_assert_num_queries(8):
        get_json(client, url)
    for _ in range(49):
        ConsultationFactory(agenda_item=AgendaItemFactory(meeting=meeting))
    with django_assert_num_queries(8):
        assert len(get_json(client, url)["agendaItem"]) == 51


def test_the_endpoint_and_body_cost_a_fixed_few_queries(client, django_assert_num_queries):
    body = CouncilFactory()
    LegislativeTermFactory.create_batch(3)
    with django_assert_num_queries(1):
        get_json(client, API)
    with django_assert_num_queries(2):
        get_json(client, api_url("body", pk=body.pk))
    with django_assert_num_queries(4):
        get_json(client, api_url("body_list"))


def test_a_file_download_costs_one_query(client, django_assert_num_queries, council):
    with django_assert_num_queries(1):
        response = client.get(api_url("file_download", pk=council.report.pk))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "name", ["body_meetings", "body_papers", "body_files", "body_consultations", "meeting"]
)
def test_visibility_never_makes_postgresql_gather_every_public_report(client, council, name):
    """Visibility is EXISTS and row-by-row conditions: no DISTINCT over a join, and no
    `IN (SELECT ...)` that builds the set of every public report for each page."""
    pk = council.decision.pk if name == "meeting" else council.body.pk

    with CaptureQueriesContext(connection) as queries:
        get_json(client, api_url(name, pk=pk))

    for query in queries.captured_queries:
        assert "DISTINCT" not in query["sql"], query["sql"]
        assert "IN (SELECT" not in query["sql"], query["sql"]


# URLs -----------------------------------------------------------------------------------------


#: Every API URL that names an object or list by primary key.
PK_URL_NAMES = (
    "body",
    *(f"body_{plural}" for plural in PLURALS.values()),
    *SEGMENTS.values(),
    "organization_meetings",
    "file_access",
    "file_download",
)


@pytest.mark.parametrize("script_prefix", ["/", "/portal/"])
def test_urls_are_exactly_what_reverse_writes(rf, council, script_prefix):
    """The serialisers build URLs from templates reversed once per request: each must be
    the very string reverse() and get_absolute_url() give, under any script prefix."""
    old_prefix = get_script_prefix()
    set_script_prefix(script_prefix)
    try:
        shapes = oparl.OParl(rf.get("/oparl/v1/"), council.body)
        for name in PK_URL_NAMES:
            for pk in (1, 42, 987_654_321_012_345, 10**18):
                expected = ORIGIN + reverse(f"oparl:{name}", kwargs={"pk": pk})
                assert shapes.url(name, pk) == expected
        for obj in (council.decision, council.policy, council.report, council.minutes):
            assert shapes.web(obj) == ORIGIN + obj.get_absolute_url()
        assert shapes.web(council.audit) == ORIGIN + council.audit.get_absolute_url()
        assert shapes.url("system") == ORIGIN + reverse("oparl:system")
    finally:
        set_script_prefix(old_prefix)
