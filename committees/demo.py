"""The seed papers as committee data: the Cabinet Member for Policy and Leadership, its
meeting of 28 July 2016 with its minutes, its meeting of 13 April 2017 with agenda items 1-8
and three reports, those reports' journeys through the Ethics Committee (17 March 2017) and
the Audit and Procurement Committee (3 April 2017), and the outstanding issue the July 2016
minutes created. Loaded by `manage.py load_demo` after the organisation's demo data.

Everything goes through `ensure`, so a second load writes nothing.
"""

import datetime as dt
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import OuterRef, Subquery

from committees.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Consultation,
    ConsultationRole,
    Decision,
    DecisionKind,
    Document,
    DocumentKind,
    LegislativeTerm,
    Location,
    Meeting,
    MeetingState,
    Membership,
    MembershipRole,
    Organization,
    OrganizationType,
    Paper,
    Person,
    Post,
    Resolution,
    SignOff,
    SignOffKind,
)
from organisation.models import Directorate, User
from organisation.seeding import ensure
from portal_kit.time import LONDON

TEXT = Path(__file__).parent / "demo_data"
D = dt.date


def _at(y, m, d, h=14, minute=0):
    return dt.datetime(y, m, d, h, minute, tzinfo=LONDON)


CMPL = "Cabinet Member for Policy and Leadership"
PLACE_REPORT = "Report of the Deputy Chief Executive (Place)"


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
        organization_type=OrganizationType.CABINET_MEMBER,
        location=room,
        purpose="Executive decisions on the council's policy and leadership.",
    )
    ethics = ensure(
        Organization,
        {"slug": "ethics-committee"},
        name="Ethics Committee",
        organization_type=OrganizationType.COMMITTEE,
    )
    audit = ensure(
        Organization,
        {"slug": "audit-and-procurement-committee"},
        name="Audit and Procurement Committee",
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

    clerk = User.objects.filter(full_name="Suzanne Bennett").first()
    july = _meeting(cmpl, _at(2016, 7, 28), room, clerk, MeetingState.HELD)
    ethics_meeting = _meeting(ethics, _at(2017, 3, 17), None, clerk, MeetingState.HELD)
    audit_meeting = _meeting(audit, _at(2017, 4, 3), None, clerk, MeetingState.HELD)
    april = _meeting(cmpl, _at(2017, 4, 13), room, clerk, MeetingState.AGENDA_PUBLISHED)
    if april.agenda_published_at is None:
        Meeting.objects.filter(pk=april.pk).update(agenda_published_at=_at(2017, 4, 5, 9))
        april.refresh_from_db()

    _july_minutes(july, duggins, blundell, crookes)
    papers = _reports()
    _april_agenda(april, july, papers)
    _journeys(papers, ethics_meeting, audit_meeting, april)
    _first_published(papers)
    _index([july, ethics_meeting, audit_meeting, april], papers)
    _build_pack(april)
    return april


def _meeting(organization, start, location, clerk, state) -> Meeting:
    meeting = Meeting.objects.filter(organizations=organization, start=start).first()
    if meeting is None:
        meeting = Meeting.objects.create(
            start=start, location=location, contact_officer=clerk, state=state
        )
        meeting.organizations.add(organization)
    return meeting


def _item(meeting, number, title, *, parent=None, position=None, **values) -> AgendaItem:
    position = position or (int(number) if number.isdigit() else ord(number[0]) - 96)
    return ensure(
        AgendaItem,
        {"meeting": meeting, "parent": parent, "number": number},
        position=position,
        title=title,
        **values,
    )


def _july_minutes(july, duggins, blundell, crookes):
    """Minutes of 28 July 2016, as structured data, from the seed."""
    if not july.attendance.exists():
        place = Directorate.objects.get(name="Resources")
        rows = [
            Attendance(
                meeting=july,
                person=duggins,
                status=AttendanceStatus.PRESENT,
                capacity="Cabinet Member",
            ),
            Attendance(
                meeting=july,
                person=crookes,
                status=AttendanceStatus.SUBSTITUTE,
                substitute_for=blundell,
            ),
            Attendance(meeting=july, person=blundell, status=AttendanceStatus.APOLOGIES),
        ]
        rows += [
            Attendance(
                meeting=july,
                officer_name=name,
                directorate=place,
                status=AttendanceStatus.IN_ATTENDANCE,
            )
            for name in ("J Barlow", "H Lynch", "J Sansom")
        ]
        Attendance.objects.bulk_create(rows)

    minute_3 = (TEXT / "minutes_2016_07_28.txt").read_text(encoding="utf-8")
    minute_3 = minute_3.split("3. Information Management Strategy Update", 1)[1]
    minute_3 = minute_3.split("RESOLVED that", 1)[0].strip()
    _item(
        july,
        "1",
        "Declarations of Interest",
        minutes_text="There were no declarations of disclosable pecuniary interests.",
    )
    _item(
        july,
        "2",
        "Minutes",
        minutes_text="The minutes of the meeting held on 8 October 2015 were noted and signed.\n\n"
        "There were no matters arising.",
    )
    ims = _item(july, "3", "Information Management Strategy Update", minutes_text=minute_3)
    _item(
        july, "4", "Outstanding Issues", minutes_text="There were no outstanding issues to report."
    )
    visit = _item(
        july,
        "5",
        "Any Other Items of Public Business",
        is_urgent=True,
        urgency_reason="The need to seek approval for attendance at the visit prior to the next "
        "scheduled meeting of the Cabinet Member.",
        minutes_text="The matter was considered as an item of urgent business.",
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
    for number, text in enumerate(resolutions, start=1):
        ensure(
            Resolution,
            {"agenda_item": ims, "number": number},
            text=text,
            requests_follow_up=number == 3,
        )
    visit_text = (
        "That the Cabinet Member gives approval for the Lord Mayor and Professor Matt Qvortrup, "
        "Professor of Applied Political Science from Coventry University to undertake a civic "
        "visit to Volgograd, Russia from 30th October to 2nd November 2016."
    )
    ensure(Resolution, {"agenda_item": visit, "number": None}, text=visit_text)

    if july.closed_at is None or july.minutes_published_at is None:
        Meeting.objects.filter(pk=july.pk).update(
            closed_at=dt.time(14, 30), minutes_published_at=_at(2016, 8, 4, 10)
        )
        july.refresh_from_db()
    _document(
        meeting=july,
        kind=DocumentKind.MINUTES,
        title="Minutes of the meeting held on 28 July 2016",
        source="minutes_2016_07_28.txt",
    )
    cmpl = july.organizations.get()
    for title, text in (
        ("Information Management Strategy Update", "\n".join(resolutions)),
        ("Civic visit to Volgograd", visit_text),
    ):
        ensure(
            Decision,
            {"meeting": july, "title": title},
            kind=DecisionKind.EXECUTIVE,
            decision_maker=cmpl,
            agenda_item=ims if title.startswith("Information") else visit,
            date=D(2016, 7, 28),
            decision=text,
        )


REPORTS = {
    "code": {
        "reference": "CMPL-2017-04-13-04",
        "title": "Code of Corporate Governance",
        "author_name": "Adrian West",
        "author_job_title": "Members and Elections Team Manager",
        "author_directorate": "Place",
        "author_telephone": "024 7683 2286",
        "author_email": "adrian.west@coventry.example",
        "approving_director": "Deputy Chief Executive (Place)",
        "cabinet_member": "Cabinet Member for Policy and Leadership – Cllr G Duggins",
        "wards_affected": "N/A",
        "scrutiny_consideration": "No",
        "other_bodies": "Audit Committee reviewed the draft policy at its meeting on 3 April 2017",
        "going_to_council": "No",
        "executive_summary": (
            "Coventry City Council has a range of measures to ensure that governance in the "
            "organisation is managed effectively. In 2016, the Chartered Institute of Finance and "
            "Accountancy (CIPFA) and the Society of Local Authority Chief Executives (SOLACE) "
            "updated their guidance on Corporate Governance and published the new Delivering Good "
            "Governance in Local Government Framework.\n\nThis report proposes introducing a new "
            "Code of Corporate Governance and review process for the City Council in line with "
            "the principles and best practice set out in the national framework."
        ),
        "background_papers": (
            "Delivering Good Governance in Local Government: Framework (2016 edition)\n"
            "Delivering Good Governance in Local Government: Guidance for English Local "
            "Authorities (2016 edition)\n(Governance Services, Room 59, Council House)"
        ),
        "report": "code_of_corporate_governance_report.txt",
        "appendices": [
            (
                "Appendix 1: Code of Corporate Governance",
                "code_of_corporate_governance_appendix.txt",
            )
        ],
        "sign_offs": [
            (
                "contributor",
                "",
                "Suzanne Bennett",
                "Governance Services Officer",
                "Place",
                D(2017, 3, 9),
                D(2017, 3, 20),
            ),
            (
                "contributor",
                "",
                "David Johnston",
                "Insurance Manager",
                "Place",
                D(2017, 3, 9),
                D(2017, 3, 10),
            ),
            (
                "contributor",
                "",
                "Karen Tyler",
                "Acting Chief Internal Auditor",
                "Place",
                D(2017, 3, 9),
                D(2017, 3, 15),
            ),
            (
                "contributor",
                "",
                "Carol Bradford",
                "Corporate Governance Lawyer",
                "Place",
                D(2017, 3, 9),
                D(2017, 3, 10),
            ),
            (
                "approver",
                "finance",
                "Paul Jennings",
                "Finance Manager (Corporate Finance)",
                "Place",
                D(2017, 3, 9),
                D(2017, 3, 10),
            ),
            (
                "approver",
                "legal",
                "Helen Lynch",
                "Acting Monitoring Officer",
                "Place",
                D(2017, 3, 8),
                D(2017, 3, 9),
            ),
            (
                "approver",
                "director",
                "Barry Hastie",
                "Director of Finance and Corporate Services",
                "Place",
                D(2017, 3, 22),
                D(2017, 3, 28),
            ),
            (
                "approver",
                "members",
                "Cllr George Duggins",
                "Cabinet Member for Policy and Leadership",
                "",
                D(2017, 3, 13),
                D(2017, 3, 30),
            ),
        ],
    },
    "whistleblowing": {
        "reference": "CMPL-2017-04-13-05",
        "title": "Review of the Council's Whistleblowing Policy",
        "author_name": "Laura Stockin",
        "author_job_title": "Senior Legal Officer, Legal Services, 3rd Floor Broadgate House",
        "author_directorate": "Place",
        "author_telephone": "024 7683 3006",
        "author_email": "laura.stockin@coventry.example",
        "approving_director": "Deputy Chief Executive (Place)",
        "cabinet_member": "Cabinet Member for Policy and Leadership – Councillor G Duggins",
        "wards_affected": "Not applicable",
        "scrutiny_consideration": "No",
        "other_bodies": "Yes - Audit and Procurement Committee – 3 April, 2017\n"
        "Cabinet Member for Policy and Leadership – 13 April, 2017",
        "going_to_council": "No",
        "executive_summary": (
            "The Committee's work programme includes a review of the Whistleblowing Policy. The "
            "Whistleblowing Policy has been reviewed in light of the Rotherham report where that "
            "Council was criticised for not having effective procedures in place for reporting "
            "suspected wrongdoing. This review has now been completed. As a result of the review "
            "a new draft policy has been prepared.\n\nMonitoring the Council's policies on "
            "whistleblowing is part of the terms of reference of Audit and Procurement Committee "
            "and so any comments of the Ethics Committee will be forwarded to that Committee with "
            "the decision to approve resting with the Cabinet Member (Policy and Leadership)."
        ),
        "background_papers": "None",
        "report": "whistleblowing_report.txt",
        "appendices": [
            ("Appendix 1: Current Whistleblowing Policy", "whistleblowing_policy_2007.txt"),
            ("Appendix 2: Revised Whistleblowing Policy", "whistleblowing_policy_2017.txt"),
        ],
        "sign_offs": [
            (
                "contributor",
                "",
                "Suzanne Bennett",
                "Governance Services Officer",
                "Place",
                D(2017, 3, 8),
                D(2017, 3, 9),
            ),
            (
                "approver",
                "finance",
                "Kathryn Sutherland",
                "Lead Accountant",
                "Place",
                D(2017, 3, 6),
                D(2017, 3, 6),
            ),
            (
                "approver",
                "legal",
                "Helen Lynch",
                "Legal Services Manager Place and Regulatory",
                "Place",
                D(2017, 3, 2),
                D(2017, 3, 2),
            ),
            (
                "approver",
                "director",
                "Barry Hastie",
                "Director of Finance and Corporate Services",
                "Place",
                D(2017, 3, 6),
                D(2017, 3, 8),
            ),
            (
                "approver",
                "members",
                "Councillor Duggins",
                "Cabinet Member for Policy and Governance",
                "",
                D(2017, 3, 9),
                D(2017, 3, 9),
            ),
        ],
    },
    "information_risk": {
        "reference": "CMPL-2017-04-13-06",
        "title": "Information Management Strategy Update – Information Risk Policy",
        "author_name": "Joe Sansom",
        "author_job_title": "Transformation Programme Manager",
        "author_directorate": "People",
        "author_email": "joe.sansom@coventry.example",
        "approving_director": "Director of Finance and Corporate Services",
        "cabinet_member": "Cabinet Member for Policy and Leadership – Cllr George Duggins",
        "wards_affected": "All",
        "scrutiny_consideration": "No",
        "other_bodies": "No",
        "going_to_council": "No",
        "executive_summary": (
            "The Council's Information Management Strategy was approved by Cabinet in March "
            "2016. One of the work streams within the strategy relates to information governance "
            "and data protection. Of the 77 recommendations proposed by the Information "
            "Commissioner's Office, 75 had been completed, with the remaining 2 requiring final "
            "approval. These final actions related to the creation of an Information Risk Policy "
            "and Information Risk Register. This report presents the draft Information Risk "
            "Policy for approval."
        ),
        "background_papers": (
            "Report to Audit & Procurement Committee on 20 Feb 2017\n"
            "Glossary of terms (Audit and Procurement Committee, 24 October 2016)"
        ),
        "report": "information_risk_report.txt",
        "appendices": [("Appendix 1: Information Risk Policy", "information_risk_policy.txt")],
        "sign_offs": [
            (
                "approver",
                "director",
                "Lisa Commane",
                "Director of Customer Services and Transformation",
                "People",
                D(2017, 3, 28),
                D(2017, 3, 29),
            ),
            (
                "approver",
                "director",
                "Barry Hastie",
                "Director of Finance and Corporate Services",
                "Place",
                D(2017, 3, 28),
                D(2017, 3, 29),
            ),
            (
                "approver",
                "finance",
                "Jane Murphy",
                "Head of Transformation and Major Projects",
                "People",
                D(2017, 3, 28),
                D(2017, 3, 29),
            ),
            (
                "approver",
                "legal",
                "Helen Lynch",
                "Legal Services Manager",
                "Place",
                D(2017, 3, 28),
                D(2017, 3, 29),
            ),
            (
                "approver",
                "members",
                "Councillor George Duggins",
                "",
                "",
                D(2017, 3, 30),
                D(2017, 3, 30),
            ),
        ],
    },
}


def _reports() -> dict[str, Paper]:
    directorates = {d.name: d for d in Directorate.objects.all()}
    papers = {}
    for key, spec in REPORTS.items():
        spec = dict(spec)
        report_file = spec.pop("report")
        appendices = spec.pop("appendices")
        sign_offs = spec.pop("sign_offs")
        spec["author_directorate"] = directorates.get(spec["author_directorate"])
        paper = ensure(Paper, {"reference": spec.pop("reference")}, date=D(2017, 4, 13), **spec)
        _document(paper=paper, kind=DocumentKind.REPORT, title=paper.title, source=report_file)
        for position, (title, source) in enumerate(appendices, start=1):
            _document(
                paper=paper,
                kind=DocumentKind.APPENDIX,
                title=title,
                source=source,
                position=position,
            )
        for position, (kind, category, name, title, directorate, sent, approved) in enumerate(
            sign_offs, start=1
        ):
            ensure(
                SignOff,
                {"paper": paper, "position": position},
                kind=SignOffKind(kind),
                category=category,
                name=name,
                title=title,
                directorate_or_organisation=directorate,
                sent_on=sent,
                approved_on=approved,
            )
        papers[key] = paper
    return papers


def _document(*, source, title, kind, paper=None, meeting=None, position=0) -> Document:
    existing = Document.objects.filter(paper=paper, meeting=meeting, kind=kind, title=title).first()
    if existing is not None:
        return existing
    from committees.documents import render_text_pdf, store_document

    text = (TEXT / source).read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    pdf = render_text_pdf(title, paragraphs)
    upload = SimpleUploadedFile(f"{title}.pdf", pdf, content_type="application/pdf")
    return store_document(
        uploaded_file=upload,
        paper=paper,
        meeting=meeting,
        kind=kind,
        title=title,
        position=position,
    )


def _april_agenda(april, july, papers):
    _item(april, "1", "Apologies")
    _item(april, "2", "Declarations of Interest")
    minutes = _item(april, "3", "Minutes")
    _item(
        april,
        "a)",
        "To agree the minutes from the meeting held on 28 July, 2016",
        parent=minutes,
        minutes_of=july,
    )
    _item(april, "b)", "Matters Arising", parent=minutes)
    items = {
        "code": _item(april, "4", "Code of Corporate Governance", lead=PLACE_REPORT),
        "whistleblowing": _item(
            april, "5", "Review of the Council's Whistleblowing Policy", lead=PLACE_REPORT
        ),
        "information_risk": _item(
            april,
            "6",
            "Information Management Strategy Update - Information Risk Policy",
            lead="Report of the Director of Finance and Corporate Services",
        ),
    }
    _item(april, "7", "Outstanding Issues", lists_outstanding_issues=True)
    _item(
        april,
        "8",
        "Any Other Items of Public Business",
        description="Any other items of public business which the Cabinet Member decides to take "
        "as matters of urgency because of the special circumstances involved.",
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
    cmpl = april.organizations.get()
    for key, item in items.items():
        ensure(
            Consultation,
            {"paper": papers[key], "meeting": april},
            agenda_item=item,
            organization=cmpl,
            role=ConsultationRole.DECISION,
            recommendation=recommendations[key],
        )


def _journeys(papers, ethics_meeting, audit_meeting, april):
    ethics_item = _item(
        ethics_meeting, "1", "Review of the Council's Whistleblowing Policy", lead=PLACE_REPORT
    )
    audit_wb = _item(
        audit_meeting, "1", "Review of the Council's Whistleblowing Policy", lead=PLACE_REPORT
    )
    audit_code = _item(
        audit_meeting, "2", "Code of Corporate Governance (draft)", lead=PLACE_REPORT
    )
    for meeting in (ethics_meeting, audit_meeting):
        if meeting.agenda_published_at is None:
            Meeting.objects.filter(pk=meeting.pk).update(
                agenda_published_at=meeting.start - dt.timedelta(days=9)
            )
    steps = [
        (
            papers["whistleblowing"],
            ethics_meeting,
            ethics_item,
            ConsultationRole.RECOMMENDATION,
            "The Ethics Committee is recommended to consider the revised draft policy attached "
            "at Appendix 2 and to recommend any changes or amendments the Committee considers "
            "appropriate to the Audit and Procurement Committee.",
        ),
        (
            papers["whistleblowing"],
            audit_meeting,
            audit_wb,
            ConsultationRole.RECOMMENDATION,
            "The Audit and Procurement Committee is recommended to consider the revised draft "
            "policy attached at Appendix 2 and to recommend any changes or amendments the "
            "Committee considers appropriate to the Cabinet Member for Policy and Leadership. "
            "The Committee is recommended to consider any recommendations made by the Ethics "
            "Committee.",
        ),
        (
            papers["code"],
            audit_meeting,
            audit_code,
            ConsultationRole.NOTING,
            "The Committee considered a draft of the proposed Code and supported the approach.",
        ),
    ]
    for paper, meeting, item, role, recommendation in steps:
        ensure(
            Consultation,
            {"paper": paper, "meeting": meeting},
            agenda_item=item,
            organization=meeting.organizations.get(),
            role=role,
            recommendation=recommendation,
        )


def _first_published(papers):
    """Loaded here, not published through the services: stamp each public report with its
    first published agenda, as publish_agenda would have."""
    first = (
        Consultation.objects.filter(
            paper=OuterRef("pk"), meeting__agenda_published_at__isnull=False
        )
        .order_by("meeting__agenda_published_at")
        .values("meeting__agenda_published_at")[:1]
    )
    Paper.objects.filter(
        pk__in=[p.pk for p in papers.values()], is_public=True, first_published_at__isnull=True
    ).update(first_published_at=Subquery(first))


def _index(meetings, papers):
    from committees import search

    for meeting in meetings:
        search.reindex_meeting(meeting)
    for paper in papers.values():
        search.reindex_paper(paper)
    for decision in Decision.objects.all():
        search.reindex_decision(decision)


def _build_pack(april):
    from committees.models import AgendaPack, PackStatus
    from committees.pack import build_pack

    if not AgendaPack.objects.filter(meeting=april, status=PackStatus.READY).exists():
        pack = AgendaPack.objects.create(meeting=april, status=PackStatus.BUILDING)
        build_pack(pack)
