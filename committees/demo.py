"""The seed papers as committee data: the Cabinet Member for Policy and Leadership, its
meeting of 28 July 2016 with its minutes, its meeting of 13 April 2017 with agenda items 1-8
and three reports, those reports' journeys through the Ethics Committee (17 March 2017) and
the Audit and Procurement Committee (3 April 2017), and the outstanding issue the July 2016
minutes created. Loaded by `manage.py load_demo` after the organisation's demo data.

So that upcoming meetings, the calendar and the feeds are not empty, two meetings after the
day of loading too (if none is to come): the Audit and Procurement Committee's, its agenda
published that day, in time, with one report in private (exempt under paragraph 3 of
Schedule 12A); and the Cabinet Member's, its agenda still a draft.

One demo login is a councillor's (DEMO_ACCOUNTS, printed by `load_demo`): Councillor A Demo,
a member of the Audit and Procurement Committee (not in the seed), whose account is linked to
their record and so, with the demo's second factor, reads that private report.

The council's reference data (its term, rooms, committees, councillors and their seats) is
written with `ensure`, as an administrator would set it up. The business is done through
committees.services, as Governance Services would do it, with the clock set to the day each
step happened (`now`), so the rules the services enforce hold for the demo too; the reports'
texts and metadata are data files in demo_data/. A second load finds the business there and
writes nothing.
"""

import datetime as dt
import re
import tomllib
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from committees import rules, services
from committees.documents import render_text_pdf
from committees.models import (
    AgendaItem,
    AgendaPack,
    AttendanceStatus,
    ConsultationRole,
    Document,
    DocumentKind,
    LegislativeTerm,
    Location,
    Meeting,
    Membership,
    MembershipRole,
    Organization,
    OrganizationType,
    PackStatus,
    Paper,
    Person,
    Post,
    Resolution,
)
from committees.pack import build_pack
from organisation.demo import DEMO_DOMAIN, ensure_demo_account, ensure_demo_second_factor
from organisation.models import Directorate, User
from organisation.seeding import ensure
from portal_kit.models import ANY_VERSION
from portal_kit.time import LONDON

TEXT = Path(__file__).parent / "demo_data"
D = dt.date


def _at(y, m, d, h=14, minute=0):
    return dt.datetime(y, m, d, h, minute, tzinfo=LONDON)


CMPL = "Cabinet Member for Policy and Leadership"
PLACE_REPORT = "Report of the Deputy Chief Executive (Place)"

#: The councillor's demo login.
COUNCILLOR_EMAIL = f"demo.councillor@{DEMO_DOMAIN}"
#: The demo logins this module makes, (label, e-mail), printed by `load_demo`.
DEMO_ACCOUNTS = (("Councillor, Audit and Procurement Committee", COUNCILLOR_EMAIL),)
PRIVATE_REPORT = "Procurement and Commissioning Progress Report"


@transaction.atomic
def load() -> Meeting:
    """Load the committee data; returns the 13 April 2017 meeting."""
    ensure(
        LegislativeTerm, {"name": "2016 to 2018"}, start_date=D(2016, 5, 5), end_date=D(2018, 5, 3)
    )
    room = ensure(
        Location,
        {"room": "Committee Room 2"},
        street_address="Council House, Earl Street",
        locality="Coventry",
        postal_code="CV1 5RR",
        description="A hearing loop is available in the committee rooms.",
    )
    cmpl = ensure(
        Organization,
        {"slug": "cabinet-member-for-policy-and-leadership"},
        name=CMPL,
        short_name="Policy and Leadership",
        organization_type=OrganizationType.CABINET_MEMBER,
        location=room,
        purpose="Executive decisions on the council's policy and leadership.",
    )
    ethics = ensure(
        Organization,
        {"slug": "ethics-committee"},
        name="Ethics Committee",
        short_name="Ethics",
        organization_type=OrganizationType.COMMITTEE,
    )
    audit = ensure(
        Organization,
        {"slug": "audit-and-procurement-committee"},
        name="Audit and Procurement Committee",
        short_name="Audit and Procurement",
        organization_type=OrganizationType.COMMITTEE,
        purpose="Monitors governance, risk, internal control and the whistleblowing policy; "
        "approves the Annual Governance Statement.",
    )

    duggins = ensure(Person, {"slug": "george-duggins"}, given_name="George", family_name="Duggins")
    blundell = ensure(Person, {"slug": "j-blundell"}, given_name="J", family_name="Blundell")
    crookes = ensure(Person, {"slug": "g-crookes"}, given_name="G", family_name="Crookes")
    term_start = D(2016, 5, 5)
    ensure(
        Membership,
        {"person": duggins, "organization": cmpl, "role": MembershipRole.CABINET_MEMBER},
        start_date=term_start,
    )
    ensure(
        Membership,
        {"person": blundell, "organization": cmpl, "role": MembershipRole.BY_INVITATION},
        invitation_role=MembershipRole.SHADOW_CABINET_MEMBER,
        voting_right=False,
        start_date=term_start,
    )
    ensure(
        Membership,
        {"person": crookes, "organization": cmpl, "role": MembershipRole.SUBSTITUTE},
        substitute_for=blundell,
        voting_right=False,
        start_date=term_start,
    )
    ensure(Post, {"title": CMPL, "holder": duggins}, organization=cmpl, start_date=term_start)
    _demo_councillor(audit, term_start)

    clerk = User.objects.filter(full_name="Suzanne Bennett").first()
    actor = clerk or services.SCRIPT
    april = Meeting.objects.filter(organizations=cmpl, start=_at(2017, 4, 13)).first()
    if april is None:
        people = {"duggins": duggins, "blundell": blundell, "crookes": crookes}
        july = _july(cmpl, room, clerk, people, actor)
        papers = _reports(actor)
        ethics_meeting, audit_meeting = _journeys(ethics, audit, clerk, papers, actor)
        april = _april(cmpl, room, clerk, july, papers, actor)
        _build_packs([july, ethics_meeting, audit_meeting, april])
    now = timezone.now()
    if not Meeting.objects.filter(organizations__in=[cmpl, audit], start__gt=now).exists():
        _build_packs(_upcoming(cmpl, audit, room, clerk, april, actor, now=now))
    return april


def _demo_councillor(audit, term_start) -> Person:
    """The councillor's demo login: a member of the Audit and Procurement Committee whose
    account is linked to their record (Person.user), so it reads the committee's private
    papers, and so needs a second factor (User.needs_two_factor): the demo's, as for the
    other demo logins that need one."""
    account = ensure_demo_account(
        COUNCILLOR_EMAIL, full_name="Councillor Alex Demo", job_title="Councillor"
    )
    person = ensure(
        Person, {"slug": "alex-demo"}, given_name="Alex", family_name="Demo", user=account
    )
    ensure(
        Membership,
        {"person": person, "organization": audit, "role": MembershipRole.MEMBER},
        start_date=term_start,
    )
    ensure_demo_second_factor(account)
    return person


def _meeting(organization, start, location, clerk, actor) -> Meeting:
    return services.create_meeting(
        organizations=[organization],
        start=start,
        end=start + dt.timedelta(hours=2),
        location=location,
        contact_officer=clerk,
        already_held=True,
        actor=actor,
    )


def _items(meeting, specs, actor, parent=None) -> dict[str, AgendaItem]:
    """Add items in order ({key: details}); the services number them."""
    return {
        key: services.add_agenda_item(meeting=meeting, parent=parent, details=details, actor=actor)
        for key, details in specs.items()
    }


def _july(cmpl, room, clerk, people, actor) -> Meeting:
    """28 July 2016: its agenda, published eight days before, and its minutes, from the seed."""
    july = _meeting(cmpl, _at(2016, 7, 28), room, clerk, actor)
    minute_3 = (TEXT / "minutes_2016_07_28.txt").read_text(encoding="utf-8")
    minute_3 = minute_3.split("3. Information Management Strategy Update", 1)[1]
    minute_3 = minute_3.split("RESOLVED that", 1)[0].strip()
    items = _items(
        july,
        {
            "declarations": services.AgendaItemDetails(title="Declarations of Interest"),
            "minutes": services.AgendaItemDetails(title="Minutes"),
            "ims": services.AgendaItemDetails(title="Information Management Strategy Update"),
            "outstanding": services.AgendaItemDetails(
                title="Outstanding Issues", lists_outstanding_issues=True
            ),
            "visit": services.AgendaItemDetails(
                title="Any Other Items of Public Business",
                is_urgent=True,
                urgency_reason="The need to seek approval for attendance at the visit prior to "
                "the next scheduled meeting of the Cabinet Member.",
            ),
        },
        actor,
    )
    services.publish_agenda(meeting=july, late_reason="", now=_at(2016, 7, 19, 9), actor=actor)

    place = Directorate.objects.get(name="Resources")
    services.record_attendance(
        meeting=july,
        entries=[
            {
                "person": people["duggins"],
                "status": AttendanceStatus.PRESENT,
                "capacity": "Cabinet Member",
            },
            {
                "person": people["crookes"],
                "status": AttendanceStatus.SUBSTITUTE,
                "substitute_for": people["blundell"],
            },
            {"person": people["blundell"], "status": AttendanceStatus.APOLOGIES},
            *(
                {
                    "officer_name": name,
                    "directorate": place,
                    "status": AttendanceStatus.IN_ATTENDANCE,
                }
                for name in ("J Barlow", "H Lynch", "J Sansom")
            ),
        ],
        version=ANY_VERSION,
        actor=actor,
    )
    resolutions = [
        "Notes the outcome of the Information Commissioner's Office (ICO) Audit and In-form "
        "Consult Maturity Assessment;",
        "Notes the progress to date on the ICO Audit and Maturity Assessment Action Plans;",
        "Requests that Officers bring a further report to the Committee on the outcome of the "
        "follow up audit by the Information Commissioner;",
        "Requests the following additional recommendation: The possibility of a joint Audit and "
        "Procurement Committee and Cabinet Member for Policy and Leadership meeting by the end of "
        "October 2016, be explored.",
    ]
    visit_text = (
        "That the Cabinet Member gives approval for the Lord Mayor and Professor Matt Qvortrup, "
        "Professor of Applied Political Science from Coventry University to undertake a civic "
        "visit to Volgograd, Russia from 30th October to 2nd November 2016."
    )
    minutes = {
        "declarations": ("There were no declarations of disclosable pecuniary interests.", []),
        "minutes": (
            "The minutes of the meeting held on 8 October 2015 were noted and signed.\n\n"
            "There were no matters arising.",
            [],
        ),
        "ims": (
            minute_3,
            [{"text": text, "requests_follow_up": n == 3} for n, text in enumerate(resolutions, 1)],
        ),
        "outstanding": ("There were no outstanding issues to report.", []),
        "visit": (
            "The matter was considered as an item of urgent business.",
            [{"text": visit_text}],
        ),
    }
    for key, (text, resolved) in minutes.items():
        services.record_minute(
            item=items[key],
            minutes_text=text,
            resolutions=resolved,
            version=ANY_VERSION,
            actor=actor,
        )
    services.publish_minutes(
        meeting=july, closed_at=dt.time(14, 30), now=_at(2016, 8, 4, 10), actor=actor
    )
    _upload(
        meeting=july,
        kind=DocumentKind.MINUTES,
        title="Minutes of the meeting held on 28 July 2016",
        source="minutes_2016_07_28.txt",
        actor=actor,
    )
    # The decisions register takes the minutes' resolutions (services.record_minute).
    return july


def _reports(actor) -> dict[str, Paper]:
    """The three reports of 13 April 2017 (demo_data/reports.toml), with their files and
    sign-off tables."""
    directorates = {d.name: d for d in Directorate.objects.all()}
    with open(TEXT / "reports.toml", "rb") as handle:
        specs = tomllib.load(handle)
    papers = {}
    for key, spec in specs.items():
        report_file = spec.pop("report")
        appendices = spec.pop("appendices")
        sign_offs = spec.pop("sign_offs")
        spec["author_directorate"] = directorates.get(spec["author_directorate"])
        paper = services.create_paper(
            details=services.PaperDetails(date=D(2017, 4, 13), **spec), actor=actor
        )
        _upload(
            paper=paper,
            kind=DocumentKind.REPORT,
            title=paper.title,
            source=report_file,
            actor=actor,
        )
        for appendix in appendices:
            _upload(
                paper=paper,
                kind=DocumentKind.APPENDIX,
                title=appendix["title"],
                source=appendix["source"],
                actor=actor,
            )
        for row in sign_offs:
            services.record_sign_off(paper=paper, **row, actor=actor)
        papers[key] = paper
    return papers


#: What the seed's text extraction left of its layout: bold markers, and list dashes before
#: paragraph numbers ("- 1. Notes the outcome…**").
_MARKUP = re.compile(r"\*\*|^\s*- (?=\d)", re.M)


def _upload(*, source, title, kind, actor, paper=None, meeting=None) -> Document:
    """A text from demo_data/, rendered to a PDF as the council's papers read (without the
    markup its extraction left) and uploaded."""
    text = _MARKUP.sub("", (TEXT / source).read_text(encoding="utf-8"))
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    pdf = render_text_pdf(title, paragraphs)
    return services.upload_document(
        uploaded_file=SimpleUploadedFile(f"{title}.pdf", pdf, content_type="application/pdf"),
        paper=paper,
        meeting=meeting,
        kind=kind,
        title=title,
        actor=actor,
    )


WHISTLEBLOWING = services.AgendaItemDetails(
    title="Review of the Council's Whistleblowing Policy", lead=PLACE_REPORT
)


def _journeys(ethics, audit, clerk, papers, actor) -> tuple[Meeting, Meeting]:
    """The reports on their way: the Ethics Committee (17 March 2017) and the Audit and
    Procurement Committee (3 April 2017), each agenda published nine days before."""
    ethics_meeting = _meeting(ethics, _at(2017, 3, 17), None, clerk, actor)
    audit_meeting = _meeting(audit, _at(2017, 4, 3), None, clerk, actor)
    ethics_items = _items(ethics_meeting, {"whistleblowing": WHISTLEBLOWING}, actor)
    audit_items = _items(
        audit_meeting,
        {
            "whistleblowing": WHISTLEBLOWING,
            "code": services.AgendaItemDetails(
                title="Code of Corporate Governance (draft)", lead=PLACE_REPORT
            ),
        },
        actor,
    )
    steps = [
        (
            ethics_items["whistleblowing"],
            papers["whistleblowing"],
            ConsultationRole.RECOMMENDATION,
            "The Ethics Committee is recommended to consider the revised draft policy attached "
            "at Appendix 2 and to recommend any changes or amendments the Committee considers "
            "appropriate to the Audit and Procurement Committee.",
        ),
        (
            audit_items["whistleblowing"],
            papers["whistleblowing"],
            ConsultationRole.RECOMMENDATION,
            "The Audit and Procurement Committee is recommended to consider the revised draft "
            "policy attached at Appendix 2 and to recommend any changes or amendments the "
            "Committee considers appropriate to the Cabinet Member for Policy and Leadership. "
            "The Committee is recommended to consider any recommendations made by the Ethics "
            "Committee.",
        ),
        (
            audit_items["code"],
            papers["code"],
            ConsultationRole.NOTING,
            "The Committee considered a draft of the proposed Code and supported the approach.",
        ),
    ]
    for item, paper, role, recommendation in steps:
        services.attach_report(
            item=item, paper=paper, role=role, recommendation=recommendation, actor=actor
        )
    for meeting in (ethics_meeting, audit_meeting):
        services.publish_agenda(
            meeting=meeting, now=meeting.start - dt.timedelta(days=9), actor=actor
        )
    return ethics_meeting, audit_meeting


def _april(cmpl, room, clerk, july, papers, actor) -> Meeting:
    """13 April 2017: agenda items 1-8 with the three reports, published on 5 April."""
    april = _meeting(cmpl, _at(2017, 4, 13), room, clerk, actor)
    items = _items(
        april,
        {
            "apologies": services.AgendaItemDetails(title="Apologies"),
            "declarations": services.AgendaItemDetails(title="Declarations of Interest"),
            "minutes": services.AgendaItemDetails(title="Minutes"),
            "code": services.AgendaItemDetails(
                title="Code of Corporate Governance", lead=PLACE_REPORT
            ),
            "whistleblowing": WHISTLEBLOWING,
            "information_risk": services.AgendaItemDetails(
                title="Information Management Strategy Update - Information Risk Policy",
                lead="Report of the Director of Finance and Corporate Services",
            ),
            "outstanding": services.AgendaItemDetails(
                title="Outstanding Issues", lists_outstanding_issues=True
            ),
            "other": services.AgendaItemDetails(
                title="Any Other Items of Public Business",
                description="Any other items of public business which the Cabinet Member "
                "decides to take as matters of urgency because of the special circumstances "
                "involved.",
            ),
        },
        actor,
    )
    _items(
        april,
        {
            "agree": services.AgendaItemDetails(
                title="To agree the minutes from the meeting held on 28 July, 2016",
                minutes_of=july,
            ),
            "arising": services.AgendaItemDetails(title="Matters Arising"),
        },
        actor,
        parent=items["minutes"],
    )
    recommendations = {
        "code": "The Cabinet Member for Policy and Leadership is recommended to approve the "
        "attached Code of Corporate Governance attached at Appendix 1.",
        "whistleblowing": "The Cabinet Member for Policy and Leadership is recommended to consider "
        "the revised draft policy attached at Appendix 2 together with any recommendations From "
        "Ethics Committee and Audit and Procurement Committee and to approve the policy.",
        "information_risk": "The Cabinet Member for Policy & Leadership is recommended to:\n"
        "1. Approve the Information Risk Policy\n"
        "2. Make any additional recommendations that the Cabinet Member considers appropriate.",
    }
    for key, recommendation in recommendations.items():
        services.attach_report(
            item=items[key],
            paper=papers[key],
            role=ConsultationRole.DECISION,
            recommendation=recommendation,
            actor=actor,
        )
    # Item 6 is the further report the July 2016 minutes asked for (resolution 3): the seed's
    # item 7 then lists no outstanding issues.
    asked = Resolution.objects.get(agenda_item__meeting=july, requests_follow_up=True)
    services.close_outstanding_issue(
        resolution=asked, closed_by=items["information_risk"], actor=actor
    )
    return services.publish_agenda(meeting=april, now=_at(2017, 4, 5, 9), actor=actor)


def _working_day_from(day: dt.date) -> dt.date:
    while not rules.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def _upcoming(cmpl, audit, room, clerk, april, actor, *, now) -> list[Meeting]:
    """Meetings after `now` (the day of loading): the Audit and Procurement Committee's three
    weeks on, its agenda published `now`, well over five clear working days before; the
    Cabinet Member's six weeks on, its agenda a draft the public cannot see yet."""
    today = timezone.localdate(now)
    standard = {
        "apologies": services.AgendaItemDetails(title="Apologies"),
        "declarations": services.AgendaItemDetails(title="Declarations of Interest"),
    }
    audit_day = _working_day_from(today + dt.timedelta(weeks=3))
    audit_meeting = services.create_meeting(
        organizations=[audit],
        start=_at(audit_day.year, audit_day.month, audit_day.day),
        end=_at(audit_day.year, audit_day.month, audit_day.day, 16),
        location=room,
        contact_officer=clerk,
        actor=actor,
        now=now,
    )
    audit_items = _items(
        audit_meeting,
        {
            **standard,
            "statement": services.AgendaItemDetails(title="Annual Governance Statement"),
            "outstanding": services.AgendaItemDetails(
                title="Outstanding Issues", lists_outstanding_issues=True
            ),
            "other": services.AgendaItemDetails(title="Any Other Items of Public Business"),
            "procurement": services.AgendaItemDetails(
                title=PRIVATE_REPORT,
                lead=FINANCE_REPORT,
                is_public=False,
                exempt_paragraphs=(3,),
                public_interest_statement=PROCUREMENT_PUBLIC_INTEREST,
            ),
        },
        actor,
    )
    _private_report(audit_items["procurement"], audit_day, today, actor)
    audit_meeting = services.publish_agenda(meeting=audit_meeting, now=now, actor=actor)

    cmpl_day = _working_day_from(today + dt.timedelta(weeks=6))
    cmpl_meeting = services.create_meeting(
        organizations=[cmpl],
        start=_at(cmpl_day.year, cmpl_day.month, cmpl_day.day),
        end=_at(cmpl_day.year, cmpl_day.month, cmpl_day.day, 16),
        location=room,
        contact_officer=clerk,
        actor=actor,
        now=now,
    )
    items = _items(
        cmpl_meeting,
        {
            **standard,
            "minutes": services.AgendaItemDetails(title="Minutes"),
            "outstanding": services.AgendaItemDetails(
                title="Outstanding Issues", lists_outstanding_issues=True
            ),
        },
        actor,
    )
    _items(
        cmpl_meeting,
        {
            "agree": services.AgendaItemDetails(
                title="To agree the minutes from the meeting held on 13 April 2017",
                minutes_of=april,
            )
        },
        actor,
        parent=items["minutes"],
    )
    return [audit_meeting, cmpl_meeting]


FINANCE_REPORT = "Report of the Director of Finance and Corporate Services"
PROCUREMENT_PUBLIC_INTEREST = (
    "The report gives the prices and terms offered by named bidders in tenders still being "
    "evaluated. The public interest in keeping them confidential until the contracts are "
    "awarded outweighs the public interest in disclosing them."
)
#: Who approves the private report, for each approval a council may require (rules).
_APPROVERS = {
    "finance": ("Paul Jennings", "Finance Manager (Corporate Finance)", "Place"),
    "legal": ("Helen Lynch", "Acting Monitoring Officer", "Place"),
    "director": ("Barry Hastie", "Director of Finance and Corporate Services", "Place"),
    "members": ("Councillor A Demo", "Member, Audit and Procurement Committee", ""),
}


def _private_report(item, meeting_day, today, actor) -> Paper:
    """The Audit and Procurement Committee's report in private (demo data, not the seed's):
    exempt under paragraph 3 of Schedule 12A, with the approvals the council requires (so
    the agenda can be published) and its file. The public sees the item's title and
    paragraph; the committee's members, signed in with a second factor, read the report."""
    paper = services.create_paper(
        details=services.PaperDetails(
            reference=f"APC-{meeting_day:%Y-%m-%d}-P1",
            title=PRIVATE_REPORT,
            date=meeting_day,
            author_name="Paul Jennings",
            author_job_title="Finance Manager (Corporate Finance)",
            author_directorate=Directorate.objects.filter(name="Place").first(),
            approving_director="Director of Finance and Corporate Services",
            wards_affected="N/A",
            executive_summary="Procurement activity since the Committee last met: contracts "
            "awarded under delegated powers, and the tenders now being evaluated, with the "
            "bids received.",
            is_public=False,
            exempt_paragraphs=(3,),
        ),
        actor=actor,
    )
    for category in rules.required_sign_offs():
        name, title, where = _APPROVERS.get(category, ("Barry Hastie", "Director", "Place"))
        services.record_sign_off(
            paper=paper,
            kind="approver",
            category=category,
            name=name,
            title=title,
            directorate_or_organisation=where,
            sent_on=today,
            approved_on=today,
            actor=actor,
        )
    _upload(
        paper=paper,
        kind=DocumentKind.REPORT,
        title=PRIVATE_REPORT,
        source="procurement_progress_report.txt",
        actor=actor,
    )
    services.attach_report(
        item=item,
        paper=paper,
        role=ConsultationRole.NOTING,
        recommendation="The Committee is recommended to note the procurement activity and "
        "the tenders being evaluated.",
        actor=actor,
    )
    return paper


def _build_packs(meetings) -> None:
    """Build the packs the publications asked for now, so the demo shows them at once (a
    worker would otherwise build them after the load commits)."""
    for pack in AgendaPack.objects.filter(meeting__in=meetings, status=PackStatus.QUEUED):
        build_pack(pack)
