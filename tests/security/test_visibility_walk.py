"""The visibility walk: private and draft business of every kind, then every public output
read as the public would (pages, file and pack downloads, search, iCalendar and Atom feeds,
the whole OParl API, and the page cache in front of them), and not one of their secrets found.

Each secret is a word written into one place a record's content can reach the public. A
public record beside them carries words of its own, which the walk must find, so the walk
proves it reads each kind of output rather than passing on empty answers.
"""

import datetime as dt
import io
import re

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from committees import search, tasks
from committees.models import (
    AgendaItem,
    Declaration,
    Document,
    DocumentKind,
    Meeting,
    MeetingState,
    Paper,
)
from governance_portal import pagecache
from tests.committees.factories import (
    AgendaItemFactory,
    ConsultationFactory,
    DecisionFactory,
    DocumentFactory,
    MeetingFactory,
    OrganizationFactory,
    PaperFactory,
    PersonFactory,
    PrivateAgendaItemFactory,
    PrivatePaperFactory,
    ResolutionFactory,
    minimal_pdf,
)
from tests.factories import CouncilFactory

pytestmark = pytest.mark.django_db

API = "/oparl/v1/"
ORIGIN = "http://testserver"

#: What the public must find: one word in each kind of output the walk reads.
SHOWN = {
    "public item": "shownitemwords",
    "public report": "shownreportwords",
    "public file": "shownfilewords",
    "public minute": "shownminutewords",
    "public recommendation": "shownrecommendationwords",
    "public minutes file": "shownminutesfilewords",
}

#: What the public must never find, by where it was written.
SECRETS = {
    # An agenda not yet published: nothing of it.
    "draft item title": "drafttitlewords",
    "draft item description": "draftdescriptionwords",
    "draft report title": "draftreporttitlewords",
    "draft report summary": "draftreportsummarywords",
    "draft report file": "draftreportfilewords",
    "draft recommendation": "draftrecommendationwords",
    # A public report's step at a meeting whose agenda is a draft.
    "step on a draft agenda": "draftstepwords",
    # A private (Schedule 12A) item on a published agenda with published minutes: only its
    # number, title and exemption.
    "private item lead": "privateleadwords",
    "private item description": "privatedescriptionwords",
    "private minute": "privateminutewords",
    "private resolution": "privateresolutionwords",
    "private declaration": "privatedeclarationwords",
    "decision at a private item": "privatedecisionwords",
    # A report left public but attached only to a private item.
    "report at a private item only: title": "orphantitlewords",
    "report at a private item only: summary": "orphansummarywords",
    "report at a private item only: file": "orphanfilewords",
    "report at a private item only: recommendation": "orphanrecommendationwords",
    # A public report's step at a private item (the report is public elsewhere).
    "step at a private item": "privatestepwords",
    # A sub-item left public under a private item.
    "sub-item description": "subdescriptionwords",
    "sub-item minute": "subminutewords",
    "sub-item resolution": "subresolutionwords",
    "sub-item report title": "subreporttitlewords",
    "sub-item report file": "subreportfilewords",
    "sub-item recommendation": "subrecommendationwords",
    # A private report on a public item.
    "private report title": "privatereporttitlewords",
    "private report summary": "privatereportsummarywords",
    "private report file": "privatereportfilewords",
    # Minutes not yet published.
    "draft minute": "draftminutewords",
    "draft resolution": "draftresolutionwords",
    "draft minutes file": "draftminutesfilewords",
    # A decision kept private.
    "private decision": "privatedecisiononlywords",
    # A decision from minutes not yet published.
    "decision from draft minutes": "draftminutedecisionwords",
    # Files withdrawn (one replaced by a corrected file) from a public report on a published
    # agenda, and from published minutes that a later agenda presents: walked like drafts.
    "withdrawn report file": "withdrawnreportfilewords",
    "replaced report file": "replacedreportfilewords",
    "withdrawn minutes file": "withdrawnminutesfilewords",
}


def _file(paper=None, *, words: str, meeting=None, kind=DocumentKind.REPORT, **fields):
    return DocumentFactory(
        paper=paper,
        meeting=meeting,
        kind=kind,
        title="Report" if paper is not None else "Minutes",
        content=minimal_pdf(f"Text {words} end"),
        text=f"Text {words} end",
        **fields,
    )


def _withdrawn_file(paper=None, **kwargs):
    return _file(paper, withdrawn_at=timezone.now(), withdrawal_reason="Sent in error", **kwargs)


def _start(days: int) -> dt.datetime:
    return (timezone.now() + dt.timedelta(days=days)).replace(
        hour=14, minute=0, second=0, microsecond=0
    )


@pytest.fixture
def world(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path / "media"
    s = SECRETS
    CouncilFactory()
    committee = OrganizationFactory(name="Walk Committee", slug="walk")
    councillor = PersonFactory()

    # A meeting with a published agenda and published minutes.
    held = MeetingFactory(organizations=[committee], start=_start(20), published=True)
    Meeting.objects.filter(pk=held.pk).update(minutes_published_at=timezone.now())
    shown_item = AgendaItemFactory(
        meeting=held,
        position=1,
        number="1",
        title="Public business",
        description=SHOWN["public item"],
        minutes_text=SHOWN["public minute"],
    )
    shown_report = PaperFactory(title="Public report", executive_summary=SHOWN["public report"])
    ConsultationFactory(
        paper=shown_report, agenda_item=shown_item, recommendation=SHOWN["public recommendation"]
    )
    corrected = _file(shown_report, words=SHOWN["public file"])
    _withdrawn_file(shown_report, words=s["withdrawn report file"], kind=DocumentKind.APPENDIX)
    _withdrawn_file(shown_report, words=s["replaced report file"], replaced_by=corrected)
    _file(meeting=held, kind=DocumentKind.MINUTES, words=SHOWN["public minutes file"])
    _withdrawn_file(meeting=held, kind=DocumentKind.MINUTES, words=s["withdrawn minutes file"])

    private_item = PrivateAgendaItemFactory(
        meeting=held,
        position=2,
        number="2",
        lead=s["private item lead"],
        description=s["private item description"],
        minutes_text=s["private minute"],
    )
    ResolutionFactory(
        agenda_item=private_item, text=s["private resolution"], requests_follow_up=True
    )
    Declaration.objects.create(
        agenda_item=private_item,
        person=councillor,
        interest="other",
        description=s["private declaration"],
    )
    DecisionFactory(
        decision_maker=committee,
        meeting=held,
        agenda_item=private_item,
        title=s["decision at a private item"],
        decision=s["decision at a private item"],
    )
    orphan = PaperFactory(
        title=s["report at a private item only: title"],
        executive_summary=s["report at a private item only: summary"],
    )
    ConsultationFactory(
        paper=orphan,
        agenda_item=private_item,
        recommendation=s["report at a private item only: recommendation"],
    )
    _file(orphan, words=s["report at a private item only: file"])

    sub_item = AgendaItemFactory(
        meeting=held,
        parent=private_item,
        position=1,
        number="a)",
        title="Sub-item of private business",
        description=s["sub-item description"],
        minutes_text=s["sub-item minute"],
    )
    ResolutionFactory(agenda_item=sub_item, text=s["sub-item resolution"], requests_follow_up=True)
    sub_report = PaperFactory(title=s["sub-item report title"])
    ConsultationFactory(
        paper=sub_report, agenda_item=sub_item, recommendation=s["sub-item recommendation"]
    )
    _file(sub_report, words=s["sub-item report file"])

    second_public_item = AgendaItemFactory(
        meeting=held, position=3, number="3", title="Public item with a private report"
    )
    private_report = PrivatePaperFactory(
        reference="PRIVATE-1",
        title=s["private report title"],
        executive_summary=s["private report summary"],
    )
    ConsultationFactory(paper=private_report, agenda_item=second_public_item)
    _file(private_report, words=s["private report file"])

    # A later meeting: agenda published, minutes still a draft; it lists outstanding issues
    # and takes the public report again at a private item.
    later = MeetingFactory(organizations=[committee], start=_start(40), published=True)
    AgendaItemFactory(
        meeting=later,
        position=1,
        number="1",
        title="Outstanding issues",
        lists_outstanding_issues=True,
        minutes_text=s["draft minute"],
    )
    draft_resolution_item = AgendaItemFactory(meeting=later, position=2, number="2")
    ResolutionFactory(agenda_item=draft_resolution_item, text=s["draft resolution"])
    _file(meeting=later, kind=DocumentKind.MINUTES, words=s["draft minutes file"])
    DecisionFactory(
        decision_maker=committee,
        meeting=later,
        agenda_item=draft_resolution_item,
        title=s["decision from draft minutes"],
        decision=s["decision from draft minutes"],
    )
    ConsultationFactory(
        paper=shown_report,
        agenda_item=PrivateAgendaItemFactory(meeting=later, position=3, number="3"),
        recommendation=s["step at a private item"],
    )
    AgendaItemFactory(meeting=later, position=4, number="4", title="Minutes", minutes_of=held)

    # A meeting whose agenda is still a draft.
    draft = MeetingFactory(organizations=[committee], start=_start(60))
    draft_item = AgendaItemFactory(
        meeting=draft,
        title=s["draft item title"],
        description=s["draft item description"],
    )
    draft_report = PaperFactory(
        title=s["draft report title"], executive_summary=s["draft report summary"]
    )
    ConsultationFactory(
        paper=draft_report, agenda_item=draft_item, recommendation=s["draft recommendation"]
    )
    _file(draft_report, words=s["draft report file"])
    ConsultationFactory(
        paper=shown_report,
        agenda_item=AgendaItemFactory(meeting=draft, title="Draft step"),
        recommendation=s["step on a draft agenda"],
    )

    # A private decision.
    DecisionFactory(
        decision_maker=committee,
        title=s["private decision"],
        decision=s["private decision"],
        is_public=False,
    )

    # An item removed while its agenda was a draft; the agenda published afterwards.
    removed_from_draft = MeetingFactory(organizations=[committee], start=_start(80))
    gone = AgendaItemFactory(meeting=removed_from_draft, title="Removed while a draft")
    gone_id = gone.pk
    gone.delete()
    AgendaItemFactory(meeting=removed_from_draft, title="Kept")
    Meeting.objects.filter(pk=removed_from_draft.pk).update(
        agenda_published_at=timezone.now(), state=MeetingState.AGENDA_PUBLISHED
    )
    # Saves after the deletion, as publishing through the services would make.
    removed_from_draft.refresh_from_db()
    removed_from_draft.save()

    # The derived outputs, as the services keep them: the search index and the packs.
    search.reindex_all()
    for meeting in (held, later):
        with django_capture_on_commit_callbacks(execute=True):
            tasks.request_pack_build(meeting)

    return {
        "committee": committee,
        "meetings": list(Meeting.objects.all()),
        "gone_item_url": f"{ORIGIN}{API}agenda-item/{gone_id}/",
    }


# --- Reading every public output ----------------------------------------------------------------


def _text(response) -> str:
    """What a visitor could read in an answer: PDFs as their text, the rest decoded."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"%PDF"):
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return content.decode("utf-8", "replace")


def _page_urls(world) -> list[str]:
    committee = world["committee"]
    urls = [
        reverse("home"),
        reverse("committees:meetings"),
        reverse("committees:committee_list"),
        reverse("committees:committee", args=[committee.slug]),
        reverse("committees:councillors"),
        reverse("committees:decisions"),
        reverse("committees:forward_plan"),
        reverse("committees:meetings_ics"),
        reverse("committees:committee_ics", args=[committee.slug]),
        reverse("committees:papers_atom"),
        reverse("committees:committee_atom", args=[committee.slug]),
    ]
    for meeting in world["meetings"]:
        day = timezone.localdate(meeting.start)
        urls += [
            reverse("committees:meeting", args=[meeting.pk]),
            reverse("committees:meeting_pack", args=[meeting.pk]),
            reverse("committees:meeting_ics", args=[meeting.pk]),
            reverse("committees:calendar", args=[day.year, day.month]),
        ]
    # Every record by its number, whether or not anything links to it.
    urls += [
        reverse("committees:report", args=[pk]) for pk in Paper.objects.values_list("pk", flat=True)
    ]
    urls += [
        reverse("committees:document", args=[pk])
        for pk in Document.objects.values_list("pk", flat=True)
    ]
    from committees.models import Decision

    urls += [
        reverse("committees:decision", args=[pk])
        for pk in Decision.objects.values_list("pk", flat=True)
    ]
    words = [*SECRETS.values(), *SHOWN.values()]
    urls += [f"{reverse('committees:search')}?q={word}" for word in words]
    return urls


def _oparl_urls() -> list[str]:
    """The API from its entry point, following every URL in every answer, then every object
    of every kind by its number, and each file's access and download addresses."""
    from committees.models import Consultation

    urls = []
    for name, model in [
        ("meeting", Meeting),
        ("agenda_item", AgendaItem),
        ("paper", Paper),
        ("consultation", Consultation),
        ("file", Document),
    ]:
        for pk in model.objects.values_list("pk", flat=True):
            urls.append(reverse(f"oparl:{name}", args=[pk]))
    for pk in Document.objects.values_list("pk", flat=True):
        urls += [reverse("oparl:file_access", args=[pk]), reverse("oparl:file_download", args=[pk])]
    return urls


def _walk(client: Client, world) -> dict[str, str]:
    """{url: text} for every public output."""
    answers = {}
    queue = [*_page_urls(world), API, *_oparl_urls()]
    while queue:
        url = queue.pop()
        if url in answers:
            continue
        response = client.get(url)
        assert response.status_code in (200, 404), f"{url}: {response.status_code}"
        answers[url] = _text(response) if response.status_code == 200 else ""
        if url.startswith(reverse("committees:search")):
            # The page repeats the words searched for: only its results count.
            found = re.search(
                r'<ol class="govuk-list app-search-results">.*?</ol>', answers[url], re.S
            )
            answers[url] = found.group(0) if found else ""
        if url.startswith(API) and response["Content-Type"].startswith("application/json"):
            for found in re.findall(r'"(http://testserver/oparl/v1/[^"]*)"', answers[url]):
                queue.append(found.removeprefix(ORIGIN).replace("\\u0026", "&"))
    return answers


def _found(answers: dict[str, str], word: str) -> list[str]:
    return sorted(url for url, text in answers.items() if word.lower() in text.lower())


def _assert_nothing_private(answers):
    leaks = {where: _found(answers, word) for where, word in SECRETS.items()}
    assert {where: urls for where, urls in leaks.items() if urls} == {}


def _assert_public_business_found(answers):
    missing = [where for where, word in SHOWN.items() if not _found(answers, word)]
    assert missing == []
    # Each kind of output was read, not only the pages.
    word = SHOWN["public report"]
    assert any(url.startswith(API) for url in _found(answers, SHOWN["public file"])), "OParl"
    assert any("search" in url for url in _found(answers, word)), "search"
    assert any(url.endswith(".atom") for url in _found(answers, word)), "Atom"
    assert any(url.endswith("agenda-pack.pdf") for url in _found(answers, SHOWN["public file"]))
    assert any("/documents/" in url for url in _found(answers, SHOWN["public file"]))
    minutes = _found(answers, SHOWN["public minutes file"])
    assert any(url.endswith("agenda-pack.pdf") for url in minutes), "minutes in the pack"
    assert any("/documents/" in url for url in minutes)


def test_no_public_output_shows_private_or_draft_business(client, world):
    answers = _walk(client, world)

    _assert_public_business_found(answers)
    _assert_nothing_private(answers)


def test_nor_does_the_page_cache_in_front_of_them(client, world, settings):
    settings.PAGE_CACHE_SECONDS = 600
    caches[pagecache.CACHE_ALIAS].clear()

    _walk(client, world)  # fills the cache
    answers = _walk(client, world)  # answered from it

    _assert_public_business_found(answers)
    _assert_nothing_private(answers)


def test_an_item_removed_from_a_draft_agenda_was_never_public_so_is_never_reported_deleted(
    client, world
):
    from organisation.models import Council

    body = Council.objects.get()
    since = "?modified_since=2000-01-01T00:00:00%2B00:00"
    lists = [
        reverse("oparl:body_agenda_items", args=[body.pk]) + since,
        reverse("oparl:body_papers", args=[body.pk]) + since,
    ]
    answers = {url: _text(client.get(url)) for url in lists}
    gone = world["gone_item_url"]

    assert client.get(gone.removeprefix(ORIGIN)).status_code == 404
    assert _found(answers, gone) == []
    # The lists do report deletions: an item removed from a published agenda is there.
    published_item = AgendaItem.objects.filter(meeting__agenda_published_at__isnull=False).last()
    published_item_url = f"{ORIGIN}{API}agenda-item/{published_item.pk}/"
    published_item.delete()
    answers = {url: _text(client.get(url)) for url in lists}
    assert _found(answers, published_item_url) == [lists[0]]


def test_nor_do_the_email_alerts(world, mailoutbox):
    """Every alert the walk's meetings could send, read like the pages: each agenda, and a
    supplement naming every item and report there is (committees/alerts.py)."""
    from committees import alerts
    from committees.models import Alert, AlertKind
    from tests.committees.permission_rows_alerts import subscription

    subscriber = subscription(confirmed=True)
    subscriber.organization = world["committee"]
    subscriber.save()
    items = list(AgendaItem.objects.values_list("pk", flat=True))
    papers = list(Paper.objects.values_list("pk", flat=True))
    for meeting in world["meetings"]:
        for kind in AlertKind.values:
            alert = Alert.objects.create(
                meeting=meeting, kind=kind, item_ids=items, paper_ids=papers
            )
            alerts.send(alert.pk)
    answers = {f"alert {n}": f"{m.subject}\n{m.body}" for n, m in enumerate(mailoutbox)}

    _assert_nothing_private(answers)
    assert _found(answers, "Public report") and _found(answers, "Public business")
