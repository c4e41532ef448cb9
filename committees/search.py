"""The public search index: what a visitor can find, and finding it.

Only public content is ever written to SearchEntry, decided by the same policies that guard
the public pages (asked as an anonymous visitor), so a search can never surface private
business: agenda items of published agendas (public items only), reports on published agendas
with their files' extracted text, published minutes with their resolutions (public items
only), and public decisions. Each `reindex_*` rewrites the rows for one object and deletes the
rows of whatever is no longer public; services call them after every change that matters.

Searching is PostgreSQL full-text search (config "english") over a weighted vector (titles A,
body B) kept in a GIN index, ranked with ts_rank and highlighted with ts_headline.
"""

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.db.models.functions import Left
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from committees import policies
from committees.models import (
    AgendaItem,
    Consultation,
    Decision,
    Document,
    Meeting,
    Paper,
    SearchEntry,
)

Kind = SearchEntry.Kind

#: Private-use characters mark the highlighted words in ts_headline's output, so the snippet
#: can be HTML-escaped as a whole and only then given its <mark> tags.
START_SEL = "\ue000"
STOP_SEL = "\ue001"

#: ts_headline and to_tsvector slow down on very long text, and a tsvector cannot pass 1 MB.
MAX_BODY_CHARS = 200_000
MAX_QUERY_CHARS = 200
PER_PAGE = 20
#: How many of the newest matches are ranked (see search_queryset).
CANDIDATES = 1000
#: How much of each body the snippet is cut from.
HEADLINE_CHARS = 4000

_ITEM_KINDS = (Kind.AGENDA_ITEM, Kind.MINUTES)


def _clean(text: str) -> str:
    return (text or "").replace(START_SEL, "").replace(STOP_SEL, "").replace("\x00", "")


def _body(*parts: str) -> str:
    return _clean("\n\n".join(p.strip() for p in parts if p and p.strip()))[:MAX_BODY_CHARS]


def _vector():
    return SearchVector("title", weight="A", config="english") + SearchVector(
        "body", weight="B", config="english"
    )


def _write(entries: list[SearchEntry]) -> None:
    """Insert or update the entries, then compute their vectors in the database."""
    if not entries:
        return
    SearchEntry.objects.bulk_create(
        entries,
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=["url", "title", "body", "date", "organization_ids"],
    )
    keys = defaultdict(list)
    for entry in entries:
        keys[entry.kind].append(entry.object_id)
    written = Q()
    for kind, ids in keys.items():
        written |= Q(kind=kind, object_id__in=ids)
    SearchEntry.objects.filter(written).update(vector=_vector())


def _entry(kind, object_id, *, url, title, body, date, organization_ids) -> SearchEntry:
    return SearchEntry(
        kind=kind,
        object_id=object_id,
        url=url,
        title=_clean(title)[:400],
        body=body,
        date=date,
        organization_ids=sorted(set(organization_ids)),
        vector="",
    )


# --- Indexing -------------------------------------------------------------------------------


@transaction.atomic
def reindex_meeting(meeting: Meeting) -> None:
    """Rewrite the entries of a meeting's agenda items and minutes, and of the reports it
    takes; remove those of items that are no longer public (or no longer exist)."""
    meeting = Meeting.objects.prefetch_related("organizations").get(pk=meeting.pk)
    organization_ids = [o.pk for o in meeting.organizations.all()]
    day = timezone.localdate(meeting.start)
    items = policies.agenda_items.public(
        AgendaItem.objects.filter(meeting=meeting)
    ).prefetch_related("resolutions")
    entries = []
    for item in items:
        common = {"date": day, "organization_ids": organization_ids}
        if item.content_open:
            entries.append(
                _entry(
                    Kind.AGENDA_ITEM,
                    item.pk,
                    url=f"{meeting.get_absolute_url()}#item-{item.pk}",
                    title=item.title,
                    body=_body(item.lead, item.description),
                    **common,
                )
            )
        resolutions = [
            f"{r.number}. {r.text}" if r.number else r.text for r in item.resolutions.all()
        ]
        if item.minute_open and (item.minutes_text.strip() or resolutions):
            entries.append(
                _entry(
                    Kind.MINUTES,
                    item.pk,
                    url=f"{meeting.get_absolute_url()}#minute-{item.pk}",
                    title=f"Minutes: {item.title}",
                    body=_body(item.minutes_text, *resolutions, item.urgency_reason),
                    **common,
                )
            )
    _write(entries)
    kept = defaultdict(set)
    for entry in entries:
        kept[entry.kind].add(entry.object_id)
    this_meeting = AgendaItem.objects.filter(meeting=meeting).values("pk")
    for kind in _ITEM_KINDS:
        SearchEntry.objects.filter(kind=kind).filter(
            Q(object_id__in=this_meeting)
            | ~Exists(AgendaItem.objects.filter(pk=OuterRef("object_id")))
        ).exclude(object_id__in=kept[kind]).delete()
    _reindex_papers(Paper.objects.filter(consultations__meeting=meeting).values("pk"))
    # A decision follows its item (policies.decision_open): an item made private takes its
    # decisions out of the index with it.
    for decision in Decision.objects.filter(agenda_item__meeting=meeting):
        reindex_decision(decision)


@transaction.atomic
def reindex_paper(paper: Paper) -> None:
    """Rewrite a report's entry (title, executive summary and its public files' text), or
    remove it if the report is not public."""
    _reindex_papers([paper.pk])


def _reindex_papers(paper_ids) -> None:
    ids = list(Paper.objects.filter(pk__in=paper_ids).values_list("pk", flat=True))
    if not ids:
        return
    public = Paper.objects.filter(
        pk__in=policies.papers.public(Paper.objects.filter(pk__in=ids)).values("pk")
    ).prefetch_related(
        Prefetch(
            "documents",
            queryset=policies.documents.public(Document.objects.all()).order_by(
                "kind", "position", "pk"
            ),
        )
    )
    organizations = defaultdict(set)
    for paper_id, organization_id in (
        Consultation.objects.filter(paper_id__in=ids)
        .exclude(meeting__organizations__isnull=True)
        .values_list("paper_id", "meeting__organizations")
    ):
        organizations[paper_id].add(organization_id)
    entries = [
        _entry(
            Kind.REPORT,
            paper.pk,
            url=paper.get_absolute_url(),
            title=paper.title,
            body=_body(paper.executive_summary, *(d.text for d in paper.documents.all())),
            date=paper.date,
            organization_ids=organizations[paper.pk],
        )
        for paper in public
    ]
    _write(entries)
    SearchEntry.objects.filter(kind=Kind.REPORT, object_id__in=ids).exclude(
        object_id__in=[e.object_id for e in entries]
    ).delete()


@transaction.atomic
def reindex_decision(decision: Decision) -> None:
    """Rewrite a decision's entry, or remove it if the decision is not public."""
    decision_pk = decision.pk
    decision = (
        policies.decisions.public(Decision.objects.filter(pk=decision_pk))
        .select_related("meeting")
        .prefetch_related("meeting__organizations")
        .first()
    )
    if decision is None:
        SearchEntry.objects.filter(kind=Kind.DECISION, object_id=decision_pk).delete()
        return
    organization_ids = [decision.decision_maker_id] if decision.decision_maker_id else []
    if decision.meeting is not None:
        organization_ids += [o.pk for o in decision.meeting.organizations.all()]
    officer = ", ".join(p for p in [decision.officer_name, decision.officer_title] if p)
    _write(
        [
            _entry(
                Kind.DECISION,
                decision.pk,
                url=decision.get_absolute_url(),
                title=decision.title,
                body=_body(
                    decision.decision,
                    decision.reasons,
                    decision.alternatives_rejected,
                    officer,
                ),
                date=decision.date,
                organization_ids=organization_ids,
            )
        ]
    )


@transaction.atomic
def reindex_all() -> None:
    """Rebuild the whole index (after a restore, or a change to what is indexed)."""
    SearchEntry.objects.all().delete()
    for meeting in Meeting.objects.all().iterator():
        reindex_meeting(meeting)
    for decision in Decision.objects.all().iterator():
        reindex_decision(decision)


# --- Searching ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    kind: str
    kind_label: str
    url: str
    title: str
    date: dt.date
    rank: float
    snippet: str


def highlight(headline: str) -> str:
    """ts_headline's output made safe: everything escaped, then the markers become <mark>."""
    return mark_safe(  # noqa: S308 - escaped above; only our own tags are added
        escape(headline).replace(START_SEL, "<mark>").replace(STOP_SEL, "</mark>")
    )


#: A "-" with only other marks (no word) between it and the next "-".
_NEGATION_RUN = re.compile(r"-(?:[^\w]*-)+")


def _query_text(query: str) -> str:
    """What websearch_to_tsquery is given: at most MAX_QUERY_CHARS, and each run of "-" (or
    of "-" among other marks) made one "-" or none. Each "-" nests a NOT, and 32 of them in a
    row overflow PostgreSQL's parser ("tsquery stack too small"); "not not budget" is
    "budget", so a run means what its count's parity says."""
    return _NEGATION_RUN.sub(
        lambda run: "-" if run.group(0).count("-") % 2 else " ", _clean(query)[:MAX_QUERY_CHARS]
    )


def _matches(query: str, *, organization=None, date_from=None, date_to=None):
    terms = SearchQuery(_query_text(query), search_type="websearch", config="english")
    entries = SearchEntry.objects.filter(vector=terms)
    if organization is not None:
        organization_id = getattr(organization, "pk", organization)
        entries = entries.filter(organization_ids__contains=[organization_id])
    if date_from is not None:
        entries = entries.filter(date__gte=date_from)
    if date_to is not None:
        entries = entries.filter(date__lte=date_to)
    return entries, terms


def _ranked(candidates, terms):
    return (
        SearchEntry.objects.filter(pk__in=candidates)
        .annotate(
            rank=SearchRank(F("vector"), terms),
            headline=SearchHeadline(
                # ts_headline parses the whole text it is given: the start of a long report
                # is enough for a snippet and keeps a page of results fast.
                Left("body", HEADLINE_CHARS),
                terms,
                config="english",
                start_sel=START_SEL,
                stop_sel=STOP_SEL,
                max_words=40,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .only("kind", "url", "title", "date")
        .order_by("-rank", "-date", "pk")
    )


def search_queryset(
    query: str,
    *,
    organization=None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
):
    """The matching entries, best first, each with its rank and highlighted headline.

    Ranking reads every match's vector, and a common word ("budget") matches hundreds of
    thousands of entries in fifteen years of papers: so only the newest CANDIDATES matches
    (found from the indexes alone) are ranked. Older ones are reached by narrowing the dates
    or the committee, as the results page says."""
    entries, terms = _matches(
        query, organization=organization, date_from=date_from, date_to=date_to
    )
    return _ranked(entries.order_by("-date", "-pk").values("pk")[:CANDIDATES], terms)


class _CandidatePaginator(Paginator):
    """Pages of the ranked candidates, counted from the candidates already fetched."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._count = count

    @property
    def count(self) -> int:
        return self._count


def search(
    query: str,
    *,
    organization=None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    page=1,
    per_page: int = PER_PAGE,
) -> Page:
    """One page of ranked results (two queries: the candidates and the page). Each result has a
    snippet, HTML-escaped but for the <mark> around the words found. The page's
    `capped` is true when there were more matches than were ranked."""
    entries, terms = _matches(
        query, organization=organization, date_from=date_from, date_to=date_to
    )
    # The candidates are found once (the costly part for a phrase: every match's positions
    # are checked) and both counted and ranked from their ids.
    candidates = list(entries.order_by("-date", "-pk").values_list("pk", flat=True)[:CANDIDATES])
    paginator = _CandidatePaginator(_ranked(candidates, terms), per_page, count=len(candidates))
    result_page = paginator.get_page(page)
    result_page.capped = paginator.count >= CANDIDATES
    result_page.object_list = [
        Result(
            kind=entry.kind,
            kind_label=entry.get_kind_display(),
            url=entry.url,
            title=entry.title,
            date=entry.date,
            rank=entry.rank,
            snippet=highlight(entry.headline),
        )
        for entry in result_page.object_list
    ]
    return result_page
