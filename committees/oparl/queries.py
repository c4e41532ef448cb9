"""Every read the OParl 1.1 open-data API needs (see committees/api.py).

The API is public: every read is what an anonymous visitor may see, decided by the same
policies as the public pages (committees.policies). Each function returns rows shaped with
select_related/prefetch_related so that a list page costs a fixed number of queries whatever
its length; `page` runs them. Rows come in primary-key order, which never changes, so the
pages of a list are stable (OParl 1.1, "Paginierung").

Deleted objects: the portal deletes rows for real, and django-simple-history keeps a "-"
record of each deletion. A row whose id no longer exists and whose last record is a
deletion is reported as deleted (OParl 1.1, "Gelöschte Objekte"), as long as the public
could have seen it before it went.
"""

import datetime as dt
from collections.abc import Mapping

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from committees import policies
from committees.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Consultation,
    Document,
    LegislativeTerm,
    Location,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
    Post,
    Resolution,
)
from organisation import queries as organisation_queries

#: Who the API answers as, whoever asks: open data is the same for everyone.
PUBLIC = AnonymousUser()

#: How each list filter of the OParl specification reads the rows (live rows, history rows).
WINDOW_LOOKUPS = {
    "created_since": ("created_at__gte", "created_at__gte"),
    "created_until": ("created_at__lte", "created_at__lte"),
    "modified_since": ("updated_at__gte", "history_date__gte"),
    "modified_until": ("updated_at__lte", "history_date__lte"),
}

ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.SUBSTITUTE)


# The body ----------------------------------------------------------------------------------


council = organisation_queries.council
councils = organisation_queries.councils


def council_with_pk(pk: int):
    return councils().filter(pk=pk).first()


# Live rows the public may see ---------------------------------------------------------------


def legislative_terms() -> QuerySet:
    return LegislativeTerm.objects.order_by("pk")


def locations() -> QuerySet:
    return Location.objects.order_by("pk")


def organizations() -> QuerySet:
    return (
        Organization.objects.select_related("location")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.order_by("pk"),
                to_attr="oparl_memberships",
            ),
            Prefetch("posts", queryset=Post.objects.order_by("title", "pk"), to_attr="oparl_posts"),
        )
        .order_by("pk")
    )


def persons() -> QuerySet:
    today = timezone.localdate()
    current_posts = Post.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
    return Person.objects.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.order_by("start_date", "pk"),
            to_attr="oparl_memberships",
        ),
        Prefetch("posts", queryset=current_posts.order_by("title", "pk"), to_attr="oparl_posts"),
    ).order_by("pk")


def memberships() -> QuerySet:
    return Membership.objects.order_by("pk")


def visible_papers() -> QuerySet:
    return policies.papers.visible(PUBLIC, Paper.objects.all())


def consultations() -> QuerySet:
    """A report's steps the public may see (policies.ConsultationPolicy): conditions on the
    step's own paper, meeting and item, cheap for PostgreSQL to check row by row, so a
    prefetch for a page's items never builds the set of every public report."""
    return policies.consultations.visible(PUBLIC, Consultation.objects.all()).order_by("pk")


def _item_details() -> tuple[Prefetch, Prefetch]:
    return (
        Prefetch("consultations", queryset=consultations(), to_attr="oparl_consultations"),
        Prefetch(
            "resolutions",
            queryset=Resolution.objects.order_by("number", "pk"),
            to_attr="oparl_resolutions",
        ),
    )


def agenda_items() -> QuerySet:
    """Items of published agendas, private ones included (they show only number and title)."""
    return (
        policies.agenda_items.visible(PUBLIC, AgendaItem.objects.with_agenda_order())
        .select_related("meeting")
        .prefetch_related(*_item_details())
        .order_by("pk")
    )


def files() -> QuerySet:
    return policies.documents.visible(PUBLIC, Document.objects.all()).order_by("pk")


def file_or_none(pk: int) -> Document | None:
    return files().filter(pk=pk).first()


def meetings(*, organization: Organization | None = None) -> QuerySet:
    """Every meeting (their dates and places are public) with what of each the public may
    see: the published agenda's items, and the minutes once published."""
    items = (
        policies.agenda_items.visible(PUBLIC, AgendaItem.objects.with_agenda_order())
        .prefetch_related(*_item_details())
        .order_by("agenda_top", "agenda_sub", "pk")
    )
    meeting_files = files().filter(paper__isnull=True).order_by("kind", "position", "pk")
    attended = Attendance.objects.filter(person__isnull=False, status__in=ATTENDED).order_by("pk")
    rows = Meeting.objects.select_related("location").prefetch_related(
        "organizations",
        Prefetch("documents", queryset=meeting_files, to_attr="oparl_files"),
        Prefetch("agenda_items", queryset=items, to_attr="oparl_items"),
        Prefetch("attendance", queryset=attended, to_attr="oparl_attendance"),
    )
    if organization is not None:
        rows = rows.filter(organizations=organization)
    return rows.order_by("pk")


def papers() -> QuerySet:
    paper_files = files().order_by("position", "pk")
    return (
        visible_papers()
        .prefetch_related(
            Prefetch("documents", queryset=paper_files, to_attr="oparl_files"),
            Prefetch(
                "consultations",
                queryset=consultations().order_by("meeting__start", "pk"),
                to_attr="oparl_consultations",
            ),
        )
        .order_by("pk")
    )


def organization_or_none(pk: int) -> Organization | None:
    return Organization.objects.filter(pk=pk).first()


# Deleted rows the public could have seen ---------------------------------------------------


def _deleted(model, *visible) -> QuerySet:
    """History records of deletions of `model` rows that are still gone, newest per id."""
    return (
        model.history.filter(*visible, history_type="-")
        .exclude(id__in=model.objects.values("pk"))
        .order_by("id", "-history_date", "-history_id")
        .distinct("id")
    )


def deleted_legislative_terms() -> QuerySet:
    return _deleted(LegislativeTerm)


def deleted_locations() -> QuerySet:
    return _deleted(Location)


def deleted_organizations() -> QuerySet:
    return _deleted(Organization)


def deleted_persons() -> QuerySet:
    return _deleted(Person)


def deleted_memberships() -> QuerySet:
    return _deleted(Membership)


def deleted_meetings() -> QuerySet:
    return _deleted(Meeting)


def deleted_agenda_items() -> QuerySet:
    """Items deleted while the public could see them listed (policies.item_listed: private
    ones too, their existence was public). Agendas and minutes, once published, are never
    unpublished, so an item removed before either was never seen: its deletion is not news
    to anyone."""
    published_before = Meeting.objects.filter(
        Q(agenda_published_at__lte=OuterRef("history_date"))
        | Q(minutes_published_at__lte=OuterRef("history_date")),
        pk=OuterRef("meeting_id"),
    )
    return _deleted(AgendaItem, Exists(published_before))


def deleted_papers() -> QuerySet:
    """Reports the public once saw (they carry the moment they were first published): never
    a report whose existence the public never knew."""
    return _deleted(Paper, Q(first_published_at__isnull=False))


# Reading a page -----------------------------------------------------------------------------


def within(rows: QuerySet, window: Mapping[str, dt.datetime], *, history: bool = False):
    """`rows` narrowed by the OParl list filters (created_since, modified_until, ...)."""
    for name, value in window.items():
        live_lookup, history_lookup = WINDOW_LOOKUPS[name]
        rows = rows.filter(**{history_lookup if history else live_lookup: value})
    return rows


def page(
    rows: QuerySet, deleted: QuerySet | None, *, offset: int, limit: int
) -> tuple[list, list, int]:
    """One page of a list: live rows first, then deleted ones, both in id order.

    Returns (rows, deleted records, total). Costs a count and a slice (with the rows'
    prefetches), and the same again for the deleted records when they are asked for.
    """
    live_total = rows.count()
    deleted_total = deleted.count() if deleted is not None else 0
    total = live_total + deleted_total
    if offset and offset >= total:  # a page past the end
        return [], [], total
    shown = list(rows[offset : offset + limit])
    gone = []
    if deleted is not None:
        wanted = limit - len(shown)
        start = max(0, offset - live_total)
        # Always one query, whether or not this page reaches the deleted records.
        gone = list(deleted[start : start + max(wanted, 1)])[:wanted]
    return shown, gone, total
