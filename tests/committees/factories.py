"""Factories for committee business that keep related rows consistent: a report's
consultation sits on a meeting of the consultation's organisation, and so on; and builders
of published things the public may see, the pieces of minutes (attendance, declarations)
and agenda packs. The one factories module of the committees tests (the council itself is
in tests/factories.py)."""

import datetime as dt
import hashlib

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify

from committees.models import (
    AgendaItem,
    AgendaPack,
    Attendance,
    AttendanceStatus,
    Consultation,
    ConsultationRole,
    Decision,
    DecisionKind,
    Declaration,
    Document,
    DocumentKind,
    ForwardPlanEntry,
    LegislativeTerm,
    Location,
    Meeting,
    MeetingState,
    Membership,
    MembershipRole,
    Organization,
    OrganizationType,
    PackStatus,
    Paper,
    Person,
    Resolution,
    SignOff,
    SignOffKind,
)
from portal_kit.time import LONDON


def minimal_pdf(text: str = "Report", pages: int = 1) -> bytes:
    """A real, valid PDF with `pages` pages showing `text` (drawn by fpdf2)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for n in range(pages):
        pdf.add_page()
        pdf.multi_cell(0, 8, f"{text} (page {n + 1})")
    return bytes(pdf.output())


class LegislativeTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegislativeTerm

    name = "2016 to 2018"
    start_date = dt.date(2016, 5, 5)
    end_date = dt.date(2018, 5, 3)


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    room = factory.Sequence(lambda n: f"Committee Room {n}")
    street_address = "Council House, Earl Street"
    locality = "Coventry"
    postal_code = "CV1 5RR"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Scrutiny Committee {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    organization_type = OrganizationType.COMMITTEE


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    given_name = factory.Faker("first_name", locale="en_GB")
    family_name = factory.Sequence(lambda n: f"Member{n}")
    slug = factory.LazyAttribute(lambda o: slugify(f"{o.given_name}-{o.family_name}"))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = MembershipRole.MEMBER
    start_date = dt.date(2016, 5, 5)


class MeetingFactory(factory.django.DjangoModelFactory):
    """A scheduled meeting a month ahead; `published=True` publishes its agenda."""

    class Meta:
        model = Meeting
        skip_postgeneration_save = True

    # 2pm in London, a month from now: when the council's meetings start.
    start = factory.LazyFunction(
        lambda: (dt.datetime.now(LONDON) + dt.timedelta(days=30)).replace(
            hour=14, minute=0, second=0, microsecond=0
        )
    )
    end = factory.LazyAttribute(lambda o: o.start + dt.timedelta(hours=2))
    location = factory.SubFactory(LocationFactory)
    state = MeetingState.SCHEDULED

    @factory.post_generation
    def organizations(self, create, extracted, **kwargs):
        if create:
            self.organizations.add(*(extracted or [OrganizationFactory()]))

    @factory.post_generation
    def published(self, create, extracted, **kwargs):
        if create and extracted:
            self.state = MeetingState.AGENDA_PUBLISHED
            # Eight days ahead, as the law allows, but never in the future: a record cannot
            # have been published at a moment still to come.
            self.agenda_published_at = min(self.start - dt.timedelta(days=8), timezone.now())
            self.save(update_fields=["state", "agenda_published_at"])


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.Sequence(lambda n: n + 1)
    number = factory.LazyAttribute(lambda o: str(o.position))
    title = factory.Sequence(lambda n: f"Agenda item {n}")


class PrivateAgendaItemFactory(AgendaItemFactory):
    title = "Exempt report: contract award"
    is_public = False
    exempt_paragraphs = [3]
    minutes_text = "EXEMPT MINUTE TEXT"


class PaperFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Paper

    reference = factory.Sequence(lambda n: f"REP-{n:05d}")
    title = factory.Sequence(lambda n: f"Report {n}")
    date = dt.date(2017, 4, 13)
    author_name = "Adrian West"
    author_job_title = "Members and Elections Team Manager"
    executive_summary = "What the report is about."


class PrivatePaperFactory(PaperFactory):
    title = "Confidential: bidder prices"
    is_public = False
    exempt_paragraphs = [3]
    executive_summary = "EXEMPT SUMMARY TEXT"


class ConsultationFactory(factory.django.DjangoModelFactory):
    """A paper taken at an agenda item: the consultation's meeting and organisation are the
    item's."""

    class Meta:
        model = Consultation
        skip_postgeneration_save = True

    paper = factory.SubFactory(PaperFactory)
    agenda_item = factory.SubFactory(AgendaItemFactory)
    meeting = factory.LazyAttribute(lambda o: o.agenda_item.meeting)
    organization = factory.LazyAttribute(lambda o: o.meeting.organizations.first())
    role = ConsultationRole.DECISION
    recommendation = "To approve the recommendations."

    @factory.post_generation
    def first_published(self, create, extracted, **kwargs):
        """As the services (and the migration's backfill) leave it: a public paper on a
        published agenda was first published with its earliest such agenda."""
        published, paper = self.meeting.agenda_published_at, self.paper
        if not (create and published and paper.is_public):
            return
        if paper.first_published_at is None or published < paper.first_published_at:
            paper.first_published_at = published
            Paper.objects.filter(pk=paper.pk).update(first_published_at=published)


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    class Params:
        content = factory.LazyFunction(minimal_pdf)

    paper = factory.SubFactory(PaperFactory)
    kind = DocumentKind.REPORT
    title = factory.LazyAttribute(lambda o: o.paper.title if o.paper else "Minutes")
    file = factory.LazyAttribute(lambda o: ContentFile(o.content, name="document.pdf"))
    original_name = "document.pdf"
    mime_type = "application/pdf"
    size = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    page_count = 1
    text = "Report (page 1)"


class SignOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignOff

    paper = factory.SubFactory(PaperFactory)
    kind = SignOffKind.APPROVER
    category = SignOff.Category.FINANCE
    name = "Paul Jennings"
    title = "Finance Manager (Corporate Finance)"
    directorate_or_organisation = "Place"
    sent_on = dt.date(2017, 3, 9)
    approved_on = dt.date(2017, 3, 10)


def approve_fully(paper):
    """Give a paper the approvals the council requires (finance, legal, director, members)."""
    for category in ("finance", "legal", "director", "members"):
        SignOffFactory(paper=paper, category=category, name=f"{category} approver")
    return paper


class ResolutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resolution

    agenda_item = factory.SubFactory(AgendaItemFactory)
    number = 1
    text = "Notes the report."


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    kind = DecisionKind.EXECUTIVE
    title = factory.Sequence(lambda n: f"Decision {n}")
    decision_maker = factory.SubFactory(OrganizationFactory)
    date = dt.date(2017, 4, 13)
    decision = "Approved the policy."
    reasons = "The policy was out of date."


class ForwardPlanEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ForwardPlanEntry

    title = factory.Sequence(lambda n: f"Key decision {n}")
    decision_maker = factory.SubFactory(OrganizationFactory)
    expected_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=60))
    first_published_on = factory.LazyFunction(timezone.localdate)


class AgendaPackFactory(factory.django.DjangoModelFactory):
    """A ready agenda reports pack of `pages` pages."""

    class Meta:
        model = AgendaPack

    class Params:
        pages = 3
        content = factory.LazyAttribute(lambda o: minimal_pdf("Agenda pack", pages=o.pages))

    meeting = factory.SubFactory(MeetingFactory, published=True)
    status = PackStatus.READY
    progress = 100
    file = factory.LazyAttribute(lambda o: ContentFile(o.content, name="pack.pdf"))
    size = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    page_count = factory.LazyAttribute(lambda o: o.pages)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory, published=True)
    person = factory.SubFactory(PersonFactory)
    status = AttendanceStatus.PRESENT


class DeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Declaration

    agenda_item = factory.SubFactory(AgendaItemFactory)
    person = factory.SubFactory(PersonFactory)
    interest = "other"
    description = "Is a member of the trust's board."


def published_meeting(**kwargs):
    return MeetingFactory(published=True, **kwargs)


def published_report(*, meeting=None, item=None, with_document=True, **paper_kwargs):
    """A public report on a published agenda (with one PDF file unless told not to)."""
    if item is None:
        item = AgendaItemFactory(meeting=meeting or published_meeting())
    paper = PaperFactory(**paper_kwargs)
    ConsultationFactory(paper=paper, agenda_item=item)
    if with_document:
        DocumentFactory(paper=paper)
    return paper


def public_decision(**kwargs):
    return DecisionFactory(**kwargs)
