"""Which reports, files and journey steps the public sees (committees.policies), checked
through the policies themselves, the public pages and the OParl API, for the cases the
policies' EXISTS conditions must get right: a report on one published and one unpublished
agenda, a private report on a published agenda, and a meeting's minutes before and after
their publication."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from committees import policies
from committees.models import Consultation, Document, DocumentKind, Meeting, Paper
from organisation.roles import Role
from tests.committees.factories import (
    AgendaItemFactory,
    ConsultationFactory,
    DocumentFactory,
    MeetingFactory,
    PaperFactory,
    PrivateAgendaItemFactory,
    PrivatePaperFactory,
)
from tests.factories import CouncilFactory, UserFactory

pytestmark = pytest.mark.django_db

ANONYMOUS = AnonymousUser()
ORIGIN = "http://testserver"


def _publish_minutes(meeting):
    Meeting.objects.filter(pk=meeting.pk).update(minutes_published_at=timezone.now())


@pytest.fixture
def world():
    body = CouncilFactory()
    published = MeetingFactory(published=True)
    unpublished = MeetingFactory()

    # A public report on a published agenda, and next on one not yet published.
    journey = PaperFactory(title="Journey report")
    taken = ConsultationFactory(paper=journey, agenda_item=AgendaItemFactory(meeting=published))
    pending = ConsultationFactory(
        paper=journey, agenda_item=AgendaItemFactory(meeting=unpublished, title="Next step")
    )
    # A later step planned for a meeting, not yet placed on an item of its agenda.
    planned = ConsultationFactory(paper=journey, agenda_item=None, meeting=MeetingFactory())
    journey_file = DocumentFactory(paper=journey)

    # Private reports on the published agenda: under a private item, and under a public one.
    private = PrivatePaperFactory()
    private_step = ConsultationFactory(
        paper=private, agenda_item=PrivateAgendaItemFactory(meeting=published)
    )
    private_file = DocumentFactory(paper=private, title="Confidential: appendix")
    private_too = PrivatePaperFactory(reference="PRIV-2")
    private_too_step = ConsultationFactory(
        paper=private_too, agenda_item=AgendaItemFactory(meeting=published)
    )
    private_too_file = DocumentFactory(paper=private_too, title="Confidential: report")

    # A public report only on the unpublished agenda.
    hidden = PaperFactory(title="Unpublished report")
    hidden_step = ConsultationFactory(
        paper=hidden, agenda_item=AgendaItemFactory(meeting=unpublished)
    )
    hidden_file = DocumentFactory(paper=hidden, title="Unpublished report")

    # Minutes: published for one meeting, still a draft for the published agenda's meeting.
    held = MeetingFactory(published=True)
    _publish_minutes(held)
    minutes = DocumentFactory(paper=None, meeting=held, kind=DocumentKind.MINUTES)
    draft_minutes = DocumentFactory(
        paper=None, meeting=published, kind=DocumentKind.MINUTES, title="Draft minutes"
    )
    return locals()


def _visible(policy, model, user=ANONYMOUS):
    rows = list(policy.visible(user, model.objects.all()))
    assert len(rows) == len(set(rows)), "a row listed twice"
    return set(rows)


# The policies -------------------------------------------------------------------------------


def test_the_public_sees_public_reports_of_published_agendas_their_files_and_steps(world):
    w = world
    assert _visible(policies.papers, Paper) == {w["journey"]}
    assert _visible(policies.documents, Document) == {w["journey_file"], w["minutes"]}
    # Steps at unpublished meetings stay hidden although their report is public.
    assert _visible(policies.consultations, Consultation) == {w["taken"]}


def test_governance_services_see_everything(world):
    manager = UserFactory(roles=[Role.GOVERNANCE_SERVICES])

    assert _visible(policies.papers, Paper, manager) == set(Paper.objects.all())
    assert _visible(policies.documents, Document, manager) == set(Document.objects.all())
    assert _visible(policies.consultations, Consultation, manager) == set(
        Consultation.objects.all()
    )


def test_a_report_on_several_published_agendas_is_listed_once(world):
    journey = world["journey"]
    for _ in range(3):
        ConsultationFactory(
            paper=journey, agenda_item=AgendaItemFactory(meeting=MeetingFactory(published=True))
        )

    visible = policies.papers.visible(ANONYMOUS, Paper.objects.all())

    assert list(visible) == [journey]
    assert visible.count() == 1
    assert (
        policies.documents.visible(ANONYMOUS, Document.objects.filter(paper=journey)).count() == 1
    )


def test_publishing_the_next_agenda_shows_its_step_and_its_reports(world):
    w = world
    unpublished = w["unpublished"]
    Meeting.objects.filter(pk=unpublished.pk).update(agenda_published_at=timezone.now())

    assert _visible(policies.papers, Paper) == {w["journey"], w["hidden"]}
    assert _visible(policies.consultations, Consultation) == {
        w["taken"],
        w["pending"],
        w["hidden_step"],
    }
    assert w["hidden_file"] in _visible(policies.documents, Document)


def test_a_report_made_private_disappears_with_its_files_and_steps(world):
    w = world
    Paper.objects.filter(pk=w["journey"].pk).update(is_public=False, exempt_paragraphs=[3])

    assert _visible(policies.papers, Paper) == set()
    assert _visible(policies.consultations, Consultation) == set()
    assert _visible(policies.documents, Document) == {w["minutes"]}


def test_minutes_appear_when_published(world):
    w = world
    _publish_minutes(w["published"])

    assert _visible(policies.documents, Document) == {
        w["journey_file"],
        w["minutes"],
        w["draft_minutes"],
    }
    # Publishing minutes never opens a private report's files.
    assert w["private_file"] not in _visible(policies.documents, Document)


# The public pages ---------------------------------------------------------------------------


def test_the_public_pages_open_what_the_policies_show_and_404_the_rest(client, world):
    w = world

    def report(name):
        return client.get(reverse("committees:report", args=[w[name].pk])).status_code

    def document(name):
        return client.get(reverse("committees:document", args=[w[name].pk])).status_code

    assert report("journey") == 200
    assert {report(n) for n in ("private", "private_too", "hidden")} == {404}
    assert document("journey_file") == 200
    assert document("minutes") == 200
    for name in ("private_file", "private_too_file", "hidden_file", "draft_minutes"):
        assert document(name) == 404, name


def test_the_published_meeting_page_shows_no_private_report_or_draft_minutes(client, world):
    body = client.get(reverse("committees:meeting", args=[world["published"].pk])).content

    assert b"Journey report" in body
    assert b"Confidential" not in body
    assert reverse("committees:document", args=[world["draft_minutes"].pk]).encode() not in body


# The OParl API ------------------------------------------------------------------------------


def _api(client, name, status=200, **kwargs):
    response = client.get(reverse(f"oparl:{name}", kwargs=kwargs))
    assert response.status_code == status, (name, kwargs, response.status_code)
    return response.json()


def _url(name, **kwargs):
    return ORIGIN + reverse(f"oparl:{name}", kwargs=kwargs)


def test_oparl_lists_hold_only_what_the_public_may_see(client, world):
    w = world
    pk = w["body"].pk

    papers = _api(client, "body_papers", pk=pk)
    assert [p["id"] for p in papers["data"]] == [_url("paper", pk=w["journey"].pk)]
    assert papers["pagination"]["totalElements"] == 1
    consultations = _api(client, "body_consultations", pk=pk)
    assert [c["id"] for c in consultations["data"]] == [_url("consultation", pk=w["taken"].pk)]
    assert consultations["pagination"]["totalElements"] == 1
    files = _api(client, "body_files", pk=pk)
    assert {f["id"] for f in files["data"]} == {
        _url("file", pk=w["journey_file"].pk),
        _url("file", pk=w["minutes"].pk),
    }
    assert files["pagination"]["totalElements"] == 2


def test_an_oparl_report_shows_only_its_steps_at_published_meetings(client, world):
    w = world
    paper = _api(client, "paper", pk=w["journey"].pk)

    assert [c["id"] for c in paper["consultation"]] == [_url("consultation", pk=w["taken"].pk)]
    assert paper["mainFile"]["id"] == _url("file", pk=w["journey_file"].pk)
    _api(client, "consultation", status=404, pk=w["pending"].pk)
    _api(client, "consultation", status=404, pk=w["planned"].pk)


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("paper", "private"),
        ("paper", "private_too"),
        ("paper", "hidden"),
        ("consultation", "private_step"),
        ("consultation", "private_too_step"),
        ("consultation", "hidden_step"),
        ("consultation", "planned"),
        ("file", "private_file"),
        ("file", "private_too_file"),
        ("file", "hidden_file"),
        ("file", "draft_minutes"),
        ("file_download", "private_file"),
        ("file_access", "draft_minutes"),
    ],
)
def test_oparl_objects_the_public_may_not_see_are_not_found(client, world, name, secret):
    _api(client, name, status=404, pk=world[secret].pk)


def test_the_oparl_meeting_shows_private_items_by_title_and_no_private_step(client, world):
    w = world

    meeting = _api(client, "meeting", pk=w["published"].pk)

    items = {i["id"]: i for i in meeting["agendaItem"]}
    private_item = items[_url("agenda_item", pk=w["private_step"].agenda_item_id)]
    assert private_item["public"] is False
    assert "consultation" not in private_item
    # A private report under a public item: the item shows, the step does not.
    public_item = items[_url("agenda_item", pk=w["private_too_step"].agenda_item_id)]
    assert "consultation" not in public_item
    journey_item = items[_url("agenda_item", pk=w["taken"].agenda_item_id)]
    assert journey_item["consultation"] == _url("consultation", pk=w["taken"].pk)
    assert "resultsProtocol" not in meeting  # the minutes are a draft
    text = client.get(reverse("oparl:body_meetings", kwargs={"pk": w["body"].pk})).content
    steps = ("private_step", "private_too_step", "pending", "planned", "hidden_step")
    for secret in (w[name] for name in steps):
        assert _url("consultation", pk=secret.pk).encode() not in text
    for secret in (w["private_file"], w["draft_minutes"], w["hidden_file"]):
        assert _url("file", pk=secret.pk).encode() not in text


def test_published_minutes_reach_the_oparl_meeting(client, world):
    w = world
    _publish_minutes(w["published"])

    meeting = _api(client, "meeting", pk=w["published"].pk)

    assert meeting["resultsProtocol"]["id"] == _url("file", pk=w["draft_minutes"].pk)
    _api(client, "file", pk=w["draft_minutes"].pk)
