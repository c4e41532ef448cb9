"""Councillors read their committees' private papers: the one rule (policies.member_step and
member_paper), the report page and file download that serve them, the log of every opening
(never changed, holding nothing the reader typed) and its page, for Governance Services and
the Monitoring Officer."""

import datetime as dt

import pytest
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from committees import policies, services
from committees.models import (
    Document,
    Paper,
    PrivatePaperOpening,
    ReaderCapacity,
)
from governance_portal import pagecache
from organisation.roles import Role
from tests.committees.factories import (
    AgendaItemFactory,
    ConsultationFactory,
    DocumentFactory,
    MeetingFactory,
    MembershipFactory,
    OrganizationFactory,
    PaperFactory,
    PersonFactory,
    PrivateAgendaItemFactory,
    PrivatePaperFactory,
)
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.helpers import text_of

pytestmark = pytest.mark.django_db

TODAY = dt.date.today


def councillor(committee=None, *, start=None, end=None):
    """A User linked to a councillor (Person.user), a member of `committee` from `start` to
    `end` (open dates: a current member)."""
    user = UserFactory()
    person = PersonFactory(user=user)
    if committee is not None:
        MembershipFactory(person=person, organization=committee, start_date=start, end_date=end)
    return user


def client_for(user, *, verified=True) -> Client:
    return sign_in(Client(), user, verified=verified)


@pytest.fixture
def business(settings, tmp_path):
    """A committee's published agenda with a private report (and its file) on a public item,
    a public report at a private item, and a draft agenda's private report."""
    settings.MEDIA_ROOT = tmp_path / "media"
    committee = OrganizationFactory(name="Audit and Procurement Committee")
    meeting = MeetingFactory(organizations=[committee], published=True)
    private = PrivatePaperFactory(title="Sale of land at Far Gosford Street")
    ConsultationFactory(paper=private, agenda_item=AgendaItemFactory(meeting=meeting))
    private_file = DocumentFactory(paper=private, title="Valuation")
    at_private_item = PaperFactory(title="Tenancy of a named person")
    ConsultationFactory(
        paper=at_private_item, agenda_item=PrivateAgendaItemFactory(meeting=meeting)
    )
    draft = MeetingFactory(organizations=[committee])
    drafted = PrivatePaperFactory(title="Draft exempt report")
    ConsultationFactory(paper=drafted, agenda_item=AgendaItemFactory(meeting=draft))
    public = PaperFactory(title="Annual audit letter")
    ConsultationFactory(paper=public, agenda_item=AgendaItemFactory(meeting=meeting))
    return {
        "committee": committee,
        "meeting": meeting,
        "private": private,
        "file": private_file,
        "at_private_item": at_private_item,
        "drafted": drafted,
        "public": public,
    }


def readable(user) -> set[str]:
    return set(policies.papers.visible(user, Paper.objects.all()).values_list("title", flat=True))


# --- The rule ----------------------------------------------------------------------------------


class TestTheRule:
    def test_a_current_member_reads_the_private_papers_of_their_committees_published_agendas(
        self, business
    ):
        member = councillor(business["committee"], start=TODAY() - dt.timedelta(days=400))
        client_for(member)  # signed in with a second factor: django-otp marks the account
        member.is_verified = lambda: True
        assert readable(member) == {
            "Sale of land at Far Gosford Street",
            "Tenancy of a named person",
            "Annual audit letter",
        }
        files = policies.documents.visible(member, Document.objects.all())
        assert business["file"] in files

    @pytest.mark.parametrize(
        "who",
        ["former member", "future member", "other committee", "no councillor", "no second factor"],
    )
    def test_nobody_else_reads_them(self, business, who):
        committee = business["committee"]
        yesterday, tomorrow = TODAY() - dt.timedelta(days=1), TODAY() + dt.timedelta(days=1)
        user = {
            "former member": lambda: councillor(committee, end=yesterday),
            "future member": lambda: councillor(committee, start=tomorrow),
            "other committee": lambda: councillor(OrganizationFactory()),
            "no councillor": UserFactory,
            "no second factor": lambda: councillor(committee),
        }[who]()
        user.is_verified = lambda: who != "no second factor"
        assert readable(user) == {"Annual audit letter"}
        assert business["file"] not in policies.documents.visible(user, Document.objects.all())

    def test_the_public_reads_none_and_governance_services_all(self, business):
        assert readable(None) == {"Annual audit letter"}
        clerk = UserFactory(roles=[Role.GOVERNANCE_SERVICES])
        assert "Draft exempt report" in readable(clerk)

    def test_membership_counts_on_the_day_asked(self, business):
        user = councillor(business["committee"], end=TODAY() + dt.timedelta(days=10))
        user.is_verified = lambda: True
        later = TODAY() + dt.timedelta(days=11)
        step = policies.member_step(user, later)
        assert not business["private"].consultations.filter(step).exists()
        assert business["private"].consultations.filter(policies.member_step(user)).exists()


# --- The pages, and the log ----------------------------------------------------------------------


def test_a_member_opens_a_private_report_and_its_file_and_each_opening_is_logged(business):
    member = councillor(business["committee"])
    client = client_for(member)
    private, document = business["private"], business["file"]

    page = client.get(reverse("committees:report", args=[private.pk]))
    assert page.status_code == 200
    text = text_of(page)
    assert "Sale of land at Far Gosford Street" in text
    assert "This report is private" in text
    assert "Only Governance Services and the members of the committees that take it" in text
    assert "Valuation" in text
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    download = client.get(reverse("committees:document", args=[document.pk]))
    assert download.status_code == 200

    rows = list(PrivatePaperOpening.objects.order_by("pk"))
    assert [(r.reader, r.capacity, r.paper, r.document) for r in rows] == [
        (member, ReaderCapacity.MEMBER, private, None),
        (member, ReaderCapacity.MEMBER, private, document),
    ]
    assert all(timezone.now() - r.opened_at < dt.timedelta(minutes=1) for r in rows)


def test_opening_a_public_report_or_being_refused_logs_nothing(business):
    member = councillor(business["committee"])
    client = client_for(member)
    assert client.get(reverse("committees:report", args=[business["public"].pk])).status_code == 200
    drafted = business["drafted"]
    assert client.get(reverse("committees:report", args=[drafted.pk])).status_code == 404
    outsider = client_for(councillor(OrganizationFactory()))
    assert (
        outsider.get(reverse("committees:report", args=[business["private"].pk])).status_code == 404
    )
    assert (
        outsider.get(reverse("committees:document", args=[business["file"].pk])).status_code == 404
    )
    # A member with a password alone is sent to give a second factor first.
    password_only = client_for(councillor(business["committee"]), verified=False)
    url = reverse("committees:report", args=[business["private"].pk])
    assert password_only.get(url)["Location"].startswith(reverse("two_factor_setup"))
    assert Client().get(url).status_code == 404
    assert not PrivatePaperOpening.objects.exists()


def test_governance_services_openings_are_logged_too(business):
    clerk = UserFactory(roles=[Role.GOVERNANCE_SERVICES])
    client = client_for(clerk)
    private = business["private"]
    assert client.get(reverse("manage:report", args=[private.pk])).status_code == 200
    assert client.get(reverse("committees:report", args=[private.pk])).status_code == 200
    # A draft report that is not exempt is not a private paper: not logged.
    draft_public = PaperFactory(title="Draft public report")
    ConsultationFactory(paper=draft_public, agenda_item=AgendaItemFactory(meeting=MeetingFactory()))
    assert client.get(reverse("manage:report", args=[draft_public.pk])).status_code == 200
    rows = PrivatePaperOpening.objects.values_list("reader", "capacity", "paper")
    assert list(rows) == [(clerk.pk, ReaderCapacity.GOVERNANCE_SERVICES, private.pk)] * 2


def test_the_log_records_nothing_the_reader_typed(business):
    member = councillor(business["committee"])
    client = client_for(member)
    typed = "typedwordsnottobekept"
    url = reverse("committees:report", args=[business["private"].pk])
    client.get(f"{url}?q={typed}&page={typed}", HTTP_USER_AGENT=typed, HTTP_REFERER=typed)
    fields = {f.name for f in PrivatePaperOpening._meta.get_fields()}
    assert fields == {"id", "reader", "capacity", "paper", "document", "opened_at"}
    [row] = PrivatePaperOpening.objects.values()
    assert typed not in repr(row)


def test_the_log_is_never_changed_or_removed(business):
    row = services.record_private_opening(
        paper=business["private"], actor=UserFactory(roles=[Role.GOVERNANCE_SERVICES])
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        PrivatePaperOpening.objects.filter(pk=row.pk).update(opened_at=timezone.now())
    with pytest.raises(DatabaseError), transaction.atomic():
        PrivatePaperOpening.objects.filter(pk=row.pk).delete()
    assert PrivatePaperOpening.objects.filter(pk=row.pk, opened_at=row.opened_at).exists()


def test_only_a_signed_in_person_is_logged_as_a_reader(business):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import ValidationError

    for actor in (services.SCRIPT, AnonymousUser()):
        with pytest.raises(ValidationError) as refused:
            services.record_private_opening(paper=business["private"], actor=actor)
        assert refused.value.code == "no_reader"
    assert not PrivatePaperOpening.objects.exists()


def test_reading_changes_no_public_page(business, settings):
    """The log is not watched by the page cache: a councillor's reading leaves every cached
    public page where it was."""
    member = councillor(business["committee"])
    client = client_for(member)
    before = pagecache.current_version()
    client.get(reverse("committees:report", args=[business["private"].pk]))
    client.get(reverse("committees:document", args=[business["file"].pk]))
    assert PrivatePaperOpening.objects.count() == 2
    assert pagecache.current_version() == before


# --- The log's page ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.GOVERNANCE_SERVICES, Role.MONITORING_OFFICER])
def test_governance_services_and_the_monitoring_officer_read_the_log(business, role):
    member = councillor(business["committee"])
    member.full_name = "Councillor Ann Lucas"
    member.save()
    client_for(member).get(reverse("committees:document", args=[business["file"].pk]))
    page = client_for(UserFactory(roles=[role])).get(reverse("manage:private_openings"))
    assert page.status_code == 200
    text = text_of(page)
    assert "Openings of private papers" in text
    assert "Councillor Ann Lucas" in text
    assert member.email in text
    assert "Member of the decision maker" in text
    assert "Sale of land at Far Gosford Street" in text
    assert "Valuation" in text


def test_the_log_page_says_when_nobody_has_opened_anything(client):
    sign_in(client, UserFactory(roles=[Role.MONITORING_OFFICER]))
    assert "Nobody has opened a private paper yet" in text_of(
        client.get(reverse("manage:private_openings"))
    )


@pytest.mark.parametrize("n", [1, 60])
def test_the_log_page_costs_a_fixed_number_of_queries(
    business, client, django_assert_num_queries, n
):
    clerk = UserFactory(roles=[Role.GOVERNANCE_SERVICES])
    for _ in range(n):
        services.record_private_opening(
            paper=business["private"], document=business["file"], actor=clerk
        )
    sign_in(client, clerk)
    url = reverse("manage:private_openings")
    client.get(url)
    with django_assert_num_queries(3 + 2):  # the request's own three; count and page
        assert client.get(url).status_code == 200


def test_the_clerks_reports_page_links_to_the_log(client):
    sign_in(client, UserFactory(roles=[Role.GOVERNANCE_SERVICES]))
    page = client.get(reverse("manage:reports")).content.decode()
    assert f'href="{reverse("manage:private_openings")}">Who has opened private papers' in page
