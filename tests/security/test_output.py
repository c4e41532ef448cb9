"""Markup entered anywhere never executes anywhere.

A council is built through the services with markup (`<script>`, `<img onerror>`, an
attribute break-out, a quote-laden webcast link) and an iCalendar line break-in in every
text field of meetings, items, reports, sign-offs, files, minutes, decisions and the forward
plan. Then every page of the URL walk is opened (as the public, and as Governance Services
for /manage/) and each response is checked for its type: HTML shows the markup escaped, JSON
carries it only inside strings, Atom is well-formed XML, iCalendar keeps it inside one
property, and PDFs (the agenda pack included) hold it as plain text with no script.
"""

import datetime as dt
import io
import json
import re
from xml.etree import ElementTree  # parses the portal's own feeds, never outside input

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from pypdf import PdfReader

from committees import documents, services
from committees.models import AgendaPack, AttendanceStatus, Document, PackStatus
from committees.pack import build_pack
from committees.services import SCRIPT as SCRIPT_ACTOR
from committees.services import AgendaItemDetails, PaperDetails
from organisation.roles import Role
from portal_kit.models import ANY_VERSION
from tests.committees.factories import (
    DocumentFactory,
    LegislativeTermFactory,
    LocationFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    minimal_pdf,
)
from tests.conftest import sign_in
from tests.factories import CouncilFactory, DirectorateFactory, UserFactory
from tests.security.support import EXPECTED, URL_NAMES, client_as, reverse_name, visitor_for

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
XSS = f'{SCRIPT}<img src=x onerror=alert(2)>"><svg onload=alert(3)>'
#: What must never reach an HTML page (or an HTML-typed part of a feed) unescaped.
RAW = ("<script>alert", "<img src=x", "<svg onload")
ESCAPED = "&lt;script&gt;alert(1)"
#: A line break that would start a new iCalendar property (or event) if not escaped.
ICAL_BREAK_IN = "\r\nBEGIN:VEVENT\r\nSUMMARY:Injected\r\nEND:VEVENT\r\nX-INJECTED:1"
WEBCAST = 'https://www.example.com/live?"><script>alert(4)</script>'


def hostile(label: str) -> str:
    return f"{label} {XSS}"


def _pdf_upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, minimal_pdf(hostile("Report text")), "application/pdf")


def build_hostile_council() -> dict:
    """Everything the public and Governance Services see, written through the services with
    markup in every text field."""
    now = timezone.now()
    gs = UserFactory(roles=[Role.GOVERNANCE_SERVICES], full_name=f"Clerk {SCRIPT}")
    council = CouncilFactory(name=f"Coventry {SCRIPT}", address=hostile("Council House"))
    directorate = DirectorateFactory(name=f"Place {SCRIPT}")
    term = LegislativeTermFactory(name=f"2016 {SCRIPT}")
    organization = OrganizationFactory(name=f"Cabinet Member {SCRIPT}", slug="cabinet-member")
    person = PersonFactory(given_name=SCRIPT, family_name=f"Smith{ICAL_BREAK_IN}"[:100])
    membership = MembershipFactory(person=person, organization=organization)
    location = LocationFactory(room=hostile("Room")[:150], street_address=ICAL_BREAK_IN)

    start = (now + dt.timedelta(days=3)).replace(hour=14, minute=0, second=0, microsecond=0)
    meeting = services.create_meeting(
        organizations=[organization],
        start=start,
        end=start + dt.timedelta(hours=2),
        location=location,
        contact_officer=gs,
        webcast_url=WEBCAST,
        name=hostile("Extraordinary meeting"),
        actor=gs,
    )
    item = services.add_agenda_item(
        meeting=meeting,
        actor=gs,
        details=AgendaItemDetails(
            title=hostile("Item"),
            lead=hostile("Report of the Director"),
            description=hostile("Description") + ICAL_BREAK_IN,
            is_urgent=True,
            urgency_reason=hostile("Urgent because"),
        ),
    )
    sub_item = services.add_agenda_item(
        meeting=meeting, parent=item, actor=gs, details=AgendaItemDetails(title=hostile("Sub-item"))
    )
    services.add_agenda_item(
        meeting=meeting,
        actor=gs,
        details=AgendaItemDetails(
            title=hostile("Private item"),
            is_public=False,
            exempt_paragraphs=[3],
            public_interest_statement=hostile("Public interest"),
        ),
    )
    text = {
        name: hostile(name)
        for name in (
            "title",
            "author_job_title",
            "approving_director",
            "cabinet_member",
            "wards_affected",
            "going_to_council",
            "scrutiny_consideration",
            "other_bodies",
            "executive_summary",
            "background_papers",
        )
    }
    paper = services.create_paper(
        details=PaperDetails(
            reference=f"R{SCRIPT}",
            paper_type=SCRIPT,
            date=dt.date(2017, 4, 13),
            author_name=hostile("Adrian West"),
            author_telephone=SCRIPT,
            author_email="adrian.west@coventry.example",
            author_directorate=directorate,
            **text,
        ),
        actor=gs,
    )
    for category in ("finance", "legal", "director", "members"):
        services.record_sign_off(
            paper=paper,
            actor=gs,
            kind="approver",
            category=category,
            name=hostile("Approver")[:150],
            title=hostile("Manager"),
            directorate_or_organisation=hostile("Place"),
            sent_on=dt.date(2017, 3, 9),
            approved_on=dt.date(2017, 3, 10),
        )
    document = services.upload_document(
        uploaded_file=_pdf_upload(f"{SCRIPT}.pdf"),
        paper=paper,
        kind="report",
        title=hostile("Report file"),
        actor=gs,
    )
    # Withdrawn, each with markup in its reason (shown to Governance Services).
    sign_off = services.record_sign_off(
        paper=paper, actor=gs, kind="contributor", name=hostile("Contributor")[:150]
    )
    services.withdraw_sign_off(
        sign_off=sign_off, reason=hostile("Withdrawn"), version=sign_off.version, actor=gs
    )
    withdrawn = services.upload_document(
        uploaded_file=_pdf_upload(f"{SCRIPT}-old.pdf"),
        paper=paper,
        kind="appendix",
        title=hostile("Old appendix"),
        actor=gs,
    )
    services.replace_document(
        document=withdrawn,
        uploaded_file=_pdf_upload(f"{SCRIPT}-new.pdf"),
        title=hostile("New appendix"),
        reason=hostile("Replaced"),
        version=withdrawn.version,
        actor=gs,
    )
    consultation = services.attach_report(
        item=item, paper=paper, role="decision", recommendation=hostile("Recommend"), actor=gs
    )
    services.publish_agenda(meeting=meeting, actor=gs, late_reason=hostile("Late because"))
    build_pack(AgendaPack.objects.get(meeting=meeting, status=PackStatus.QUEUED))

    services.record_attendance(
        meeting=meeting,
        entries=[
            {
                "person": person,
                "officer_name": "",
                "directorate": None,
                "status": AttendanceStatus.PRESENT,
                "capacity": hostile("Chair")[:150],
                "substitute_for": None,
            },
            {
                "person": None,
                "officer_name": hostile("Officer")[:150],
                "directorate": directorate,
                "status": AttendanceStatus.IN_ATTENDANCE,
                "capacity": "",
                "substitute_for": None,
            },
        ],
        actor=gs,
        version=ANY_VERSION,
    )
    services.record_declaration(
        item=item, person=person, interest="other", description=hostile("Trustee"), actor=gs
    )
    services.record_minute(
        item=item,
        minutes_text=hostile("The Cabinet Member considered"),
        resolutions=[
            {"text": hostile("Approves the policy"), "requests_follow_up": True},
            {"text": hostile("Notes the report"), "requests_follow_up": False},
        ],
        actor=gs,
        version=ANY_VERSION,
    )
    # The clock moved on to after the meeting: minutes are for meetings that took place.
    services.publish_minutes(
        meeting=meeting, closed_at=dt.time(15, 45), now=start + dt.timedelta(hours=3), actor=gs
    )
    services.correct_minutes(
        meeting=meeting,
        correction=hostile("Correction"),
        reason=hostile("Reason"),
        item=item,
        actor=gs,
    )
    decision = services.record_decision(
        kind="officer",
        title=hostile("Officer decision"),
        date=dt.date(2017, 4, 13),
        decision=hostile("Decided"),
        officer_name=hostile("Director")[:150],
        officer_title=hostile("Director of Finance"),
        reasons=hostile("Reasons"),
        alternatives_rejected=hostile("Alternatives"),
        conflicts_of_interest=hostile("Conflicts"),
        paper=paper,
        actor=gs,
    )
    services.add_forward_plan_entry(
        title=hostile("Key decision"),
        decision_maker=organization,
        expected_date=timezone.localdate() + dt.timedelta(days=60),
        summary=hostile("Summary"),
        documents=hostile("Documents"),
        wards_affected=hostile("Wards"),
        contact=hostile("Contact"),
        paper=paper,
        actor=gs,
    )
    cancelled = services.create_meeting(
        organizations=[organization], start=start + dt.timedelta(days=30), actor=gs
    )
    services.cancel_meeting(
        meeting=cancelled,
        reason=hostile("Cancelled because") + ICAL_BREAK_IN,
        version=ANY_VERSION,
        actor=SCRIPT_ACTOR,
    )
    resolution = item.resolutions.order_by("pk").first()
    return {
        "council": council,
        "directorate": directorate,
        "term": term,
        "organization": organization,
        "person": person,
        "membership": membership,
        "location": location,
        "meeting": meeting,
        "item": item,
        "sub_item": sub_item,
        "paper": paper,
        "document": document,
        "sign_off": sign_off,
        "consultation": consultation,
        "decision": decision,
        "resolution": resolution,
        "gs": gs,
    }


def _kwargs(c: dict) -> dict:
    meeting, item, paper = {"pk": c["meeting"].pk}, {"pk": c["item"].pk}, {"pk": c["paper"].pk}
    start = timezone.localtime(c["meeting"].start)
    kwargs = {
        "committees:calendar": {"year": start.year, "month": start.month},
        "committees:meeting": meeting,
        "committees:meeting_pack": meeting,
        "committees:meeting_ics": meeting,
        "committees:committee": {"slug": c["organization"].slug},
        "committees:committee_ics": {"slug": c["organization"].slug},
        "committees:committee_atom": {"slug": c["organization"].slug},
        "committees:councillor": {"slug": c["person"].slug},
        "committees:report": paper,
        "committees:document": {"pk": c["document"].pk},
        "committees:decision": {"pk": c["decision"].pk},
        "organisation:directorate_history": {"pk": c["directorate"].pk},
        "oparl:organization": {"pk": c["organization"].pk},
        "oparl:organization_meetings": {"pk": c["organization"].pk},
        "oparl:person": {"pk": c["person"].pk},
        "oparl:membership": {"pk": c["membership"].pk},
        "oparl:location": {"pk": c["location"].pk},
        "oparl:legislative_term": {"pk": c["term"].pk},
        "oparl:meeting": meeting,
        "oparl:agenda_item": item,
        "oparl:paper": paper,
        "oparl:consultation": {"pk": c["consultation"].pk},
        "oparl:file": {"pk": c["document"].pk},
        "oparl:file_access": {"pk": c["document"].pk},
        "oparl:file_download": {"pk": c["document"].pk},
    }
    for name in URL_NAMES:
        if name.startswith("oparl:body") and name != "oparl:body_list":
            kwargs[name] = {"pk": c["council"].pk}
        elif name.startswith("manage:"):
            kwargs.setdefault(name, _manage_kwargs(name, c))
    return kwargs


#: /manage/<segment>/<pk>/...: which of the council's objects the page is about.
MANAGED = {
    "meetings": "meeting",
    "items": "item",
    "reports": "paper",
    "outstanding-issues": None,
    "sign-offs": "sign_off",
    "documents": "document",
}


def _manage_kwargs(name: str, c: dict) -> dict | None:
    for probe in ({}, {"pk": 1}, {"pk": 1, "parent_pk": 1}):
        try:
            path = reverse(name, kwargs=probe)
        except NoReverseMatch:
            continue
        if not probe:
            return None
        kwargs = {"pk": c[MANAGED[path.split("/")[2]] or "resolution"].pk}
        if "parent_pk" in probe:
            kwargs["parent_pk"] = c["item"].pk
        return kwargs
    raise AssertionError(f"no URL for {name}")


def _url(name: str, kwargs: dict) -> str:
    if name in kwargs:
        return reverse(name, kwargs=kwargs[name])
    return reverse_name(name, EXPECTED[name][0])


def _html_is_inert(body: str, url: str):
    for raw in RAW:
        assert raw not in body, f"{url} shows {raw!r} unescaped"
    links = re.findall(
        r"""(?:href|src|action)\s*=\s*["']?\s*(?:javascript|data|vbscript):""", body, re.I
    )
    assert not links, f"{url} links to a script URL"


def _ical_is_intact(body: str, url: str):
    lines = re.sub(r"\r\n[ \t]", "", body).split("\r\n")  # unfold
    assert "SUMMARY:Injected" not in lines and "X-INJECTED:1" not in lines, url
    events = sum(line == "BEGIN:VEVENT" for line in lines)
    assert events == sum(line.startswith("UID:") for line in lines), url


def _json_strings(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)
    elif isinstance(value, str):
        yield value


#: PDF names that run something when a reader opens the file or a page (an /OpenAction that
#: is a destination array, as fpdf2 writes, only sets the view).
PDF_ACTIONS = re.compile(rb"/JavaScript\b|/JS\b|/Launch\b|/AA\b|/OpenAction\s*<<|/RichMedia\b")


def _pdf_is_inert(data: bytes, url: str):
    found = PDF_ACTIONS.findall(data)
    assert not found, f"{url} holds PDF actions {found}"
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert "/AA" not in root and "/JavaScript" not in root.get("/Names", {}), url
    assert not isinstance(root.get("/OpenAction"), dict), url
    for page in reader.pages:
        assert "/AA" not in page, url


def _content(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_markup_entered_anywhere_is_inert_in_every_response():
    council = build_hostile_council()
    kwargs = _kwargs(council)
    clients = {}
    seen = {"html_escaped": set(), "json": set(), "atom": set(), "ical": set(), "pdf": set()}
    for name in URL_NAMES:
        who = visitor_for(name)
        if who is None:
            continue
        if who not in clients:
            # Governance Services' pages are read as the clerk who wrote everything.
            gs = who == Role.GOVERNANCE_SERVICES
            clients[who] = sign_in(Client(), council["gs"]) if gs else client_as(who)
        client = clients[who]
        url = _url(name, kwargs)
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code != 200:
            continue
        content_type = response["Content-Type"]
        data = _content(response)
        if content_type.startswith("text/html"):
            body = data.decode()
            _html_is_inert(body, url)
            if ESCAPED in body:
                seen["html_escaped"].add(name)
        elif content_type.startswith("application/json"):
            strings = list(_json_strings(json.loads(data)))
            if any(SCRIPT in s for s in strings):
                seen["json"].add(name)
        elif content_type.startswith("application/atom+xml"):
            ElementTree.fromstring(data)  # noqa: S314 - well-formed: the markup is XML-escaped text
            assert b"<script" not in data
            seen["atom"].add(name)
        elif content_type.startswith("text/calendar"):
            _ical_is_intact(data.decode(), url)
            seen["ical"].add(name)
        elif content_type.startswith("application/pdf"):
            _pdf_is_inert(data, url)
            seen["pdf"].add(name)
        assert response["X-Content-Type-Options"] == "nosniff", url

    # The checks above bit: the markup reached each kind of response.
    assert {
        "committees:meeting",
        "committees:report",
        "committees:decision",
        "committees:committee",
        "committees:councillor",
        "committees:forward_plan",
        "manage:meeting",
        "manage:meeting_minutes",
        "manage:report",
        "manage:meeting_history",
        "manage:decisions",
    } <= seen["html_escaped"], sorted(seen["html_escaped"])
    assert {"oparl:meeting", "oparl:agenda_item", "oparl:paper", "oparl:file"} <= seen["json"]
    assert {"committees:papers_atom", "committees:committee_atom"} <= seen["atom"]
    assert {"committees:meeting_ics", "committees:meetings_ics"} <= seen["ical"]
    assert {"committees:meeting_pack", "committees:document"} <= seen["pdf"]


def test_the_agenda_pack_holds_the_markup_as_plain_text(client):
    council = build_hostile_council()
    response = client.get(reverse("committees:meeting_pack", args=[council["meeting"].pk]))
    data = _content(response)
    _pdf_is_inert(data, "pack")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "<script>alert(1)</script>" in text
    assert "Private item" in text  # titles of private items are listed; their text is not
    assert "Public interest" not in text


def test_search_results_show_the_markup_escaped_with_only_the_portal_s_own_highlighting(client):
    build_hostile_council()
    for query in ("alert", SCRIPT, "script alert onerror", '"><svg onload=alert(3)>'):
        response = client.get(reverse("committees:search"), {"q": query})
        assert response.status_code == 200
        body = response.content.decode()
        _html_is_inert(body, f"search {query!r}")
    body = client.get(reverse("committees:search"), {"q": "alert"}).content.decode()
    snippets = re.findall(r'app-search-snippet">(.*?)</p>', body, re.S)
    assert snippets
    assert "&lt;img src=x onerror=<mark>alert</mark>(2)&gt;" in body
    for snippet in snippets:
        assert set(re.findall(r"<[^>]*>", snippet)) <= {"<mark>", "</mark>"}, snippet


def test_a_javascript_webcast_link_is_refused_by_the_service():
    organization = OrganizationFactory()
    for url in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>", "//x"):
        with pytest.raises(ValidationError):
            services.create_meeting(
                organizations=[organization],
                start=timezone.now() + dt.timedelta(days=30),
                webcast_url=url,
                actor=SCRIPT_ACTOR,
            )


def test_the_webcast_link_stays_inside_its_attribute(client):
    council = build_hostile_council()
    body = client.get(reverse("committees:meeting", args=[council["meeting"].pk])).content.decode()
    assert 'href="https://www.example.com/live?&quot;&gt;&lt;script&gt;alert(4)' in body


def _pdf_with_javascript(*, safe_link: str = "") -> bytes:
    """A report PDF that runs a script when opened, when its page opens, and from a link;
    with `safe_link`, its page also has an ordinary link to that address."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    def script(code):
        return DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject(code),
            }
        )

    def link(action):
        return DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/Rect"): ArrayObject([]),
                NameObject("/A"): action,
            }
        )

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(minimal_pdf("Report"))))
    writer._root_object[NameObject("/OpenAction")] = script("app.alert('document')")
    page = writer.pages[0]
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): script("app.alert('page')")})
    links = [link(script("app.alert('link')"))]
    if safe_link:
        uri = {
            NameObject("/S"): NameObject("/URI"),
            NameObject("/URI"): TextStringObject(safe_link),
        }
        links.append(link(DictionaryObject(uri)))
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(a) for a in links])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _meeting_with_a_signed_off_report():
    gs = UserFactory(roles=[Role.GOVERNANCE_SERVICES])
    organization = OrganizationFactory()
    start = timezone.now() + dt.timedelta(days=30)
    meeting = services.create_meeting(organizations=[organization], start=start, actor=gs)
    item = services.add_agenda_item(
        meeting=meeting, actor=gs, details=AgendaItemDetails(title="Whistleblowing Policy")
    )
    paper = services.create_paper(
        actor=gs,
        details=PaperDetails(
            reference="WB-1",
            title="Whistleblowing Policy",
            date=dt.date(2017, 4, 13),
            author_name="Adrian West",
        ),
    )
    for category in ("finance", "legal", "director", "members"):
        services.record_sign_off(
            paper=paper,
            kind="approver",
            category=category,
            name="Approver",
            sent_on=dt.date(2017, 3, 9),
            approved_on=dt.date(2017, 3, 10),
            actor=SCRIPT_ACTOR,
        )
    return gs, meeting, item, paper


def test_a_report_pdf_s_javascript_never_reaches_the_agenda_pack(client):
    gs, meeting, item, paper = _meeting_with_a_signed_off_report()
    upload = SimpleUploadedFile("report.pdf", _pdf_with_javascript(), "application/pdf")
    with pytest.raises(ValidationError) as refused:
        documents.store_document(uploaded_file=upload, paper=paper, kind="report", title="R")
    assert refused.value.message_dict == {"file": [documents.ACTIVE_CONTENT]}
    assert not Document.objects.filter(paper=paper).exists()

    # A file stored before uploads were checked (or one the check misses) is made inert
    # when the pack is put together; its ordinary link stays.
    DocumentFactory(
        paper=paper, content=_pdf_with_javascript(safe_link="https://www.example.com/policy")
    )
    services.attach_report(item=item, paper=paper, role="decision", actor=gs)
    services.publish_agenda(meeting=meeting, actor=gs)
    pack = build_pack(AgendaPack.objects.get(meeting=meeting, status=PackStatus.QUEUED))
    assert pack.status == PackStatus.READY, pack.error
    response = client.get(reverse("committees:meeting_pack", args=[meeting.pk]))
    data = _content(response)
    _pdf_is_inert(data, "pack")
    report_page = PdfReader(io.BytesIO(data)).pages[-1]
    assert "Report (page 1)" in report_page.extract_text()
    actions = [a.get_object()["/A"] for a in report_page.get("/Annots", [])]
    assert [(a["/S"], a["/URI"]) for a in actions] == [("/URI", "https://www.example.com/policy")]


ATOM = "{http://www.w3.org/2005/Atom}"
FEED_HTML_SUMMARY = (
    "committees/feeds.py PapersFeed.item_description returns the report's executive summary "
    'as it was typed; Django\'s Atom1Feed writes it as <summary type="html">, so a feed '
    "reader decodes the XML and renders the summary as HTML: <script> and <img onerror> in "
    "an executive summary execute in the reader. Escape it (django.utils.html.escape, or "
    "linebreaks(escape(...))) in item_description"
)


@pytest.mark.parametrize("feed", ["committees:papers_atom", "committees:committee_atom"])
def test_a_feed_s_html_parts_carry_no_markup(client, feed):
    council = build_hostile_council()
    kwargs = {"slug": council["organization"].slug} if feed.endswith("committee_atom") else None
    root = ElementTree.fromstring(client.get(reverse(feed, kwargs=kwargs)).content)  # noqa: S314
    html_parts = [e for e in root.iter() if e.get("type") in ("html", "xhtml")]
    assert html_parts, "the feed has parts typed as HTML"
    for element in html_parts:
        as_html = "".join(element.itertext())
        for raw in RAW:
            assert raw not in as_html, f"<{element.tag.removeprefix(ATOM)}> holds {raw!r}"


ICAL_NAME_LINE_BREAK = (
    "committees/feeds.py meeting_ics passes meeting.title to _calendar_response, which adds "
    "it as the calendar's X-WR-CALNAME; icalendar refuses a content line holding a raw line "
    "break (AssertionError in icalendar/parser/content_line.py), so a meeting whose name "
    "contains CR or LF (the name is a one-line text box, but nothing strips line breaks from "
    "what is posted) makes its meeting.ics answer 500. Collapse whitespace in one-line fields "
    "(committees/forms.py _text, or services.create_meeting) and in the calendar name"
)


def test_a_line_break_in_a_meeting_s_name_stays_inside_its_calendar_property(client):
    meeting = services.create_meeting(
        organizations=[OrganizationFactory()],
        start=timezone.now() + dt.timedelta(days=30),
        name=f"Extraordinary{ICAL_BREAK_IN}",
        actor=SCRIPT_ACTOR,
    )
    response = client.get(reverse("committees:meeting_ics", args=[meeting.pk]))
    assert response.status_code == 200
    _ical_is_intact(response.content.decode(), "meeting.ics")


def test_the_sign_in_page_keeps_a_hostile_next_inside_its_attribute(client):
    response = client.get(reverse("login"), {"next": '/"><script>alert(1)</script>'})
    _html_is_inert(response.content.decode(), "sign-in")


def test_a_hostile_search_query_is_shown_escaped(client):
    response = client.get(reverse("committees:search"), {"q": XSS})
    body = response.content.decode()
    _html_is_inert(body, "search")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
