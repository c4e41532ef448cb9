"""Builders for the public pages' tests: published things the public may see, and the pieces
of minutes (attendance, declarations) and agenda packs that tests/committees/factories.py
does not make."""

import hashlib

import factory
from django.core.files.base import ContentFile

from committees.models import (
    AgendaPack,
    Attendance,
    AttendanceStatus,
    Declaration,
    PackStatus,
)
from tests.committees.factories import (
    AgendaItemFactory,
    ConsultationFactory,
    DecisionFactory,
    DocumentFactory,
    MeetingFactory,
    PaperFactory,
    PersonFactory,
    minimal_pdf,
)


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
