"""The public committee pages: meetings, agendas, reports, minutes, decisions, councillors and
search. Open to everyone; what each visitor sees is decided by committees.policies, and every
read comes from committees.queries.public, so a page costs a fixed number of queries."""

import datetime as dt

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from committees import policies, services
from committees.documents import clean_display_name
from committees.forms.public import DecisionFilterForm, SearchForm
from committees.models import (
    AgendaItem,
    Consultation,
    Decision,
    Document,
    Meeting,
    MeetingState,
    Paper,
)
from committees.queries import public as queries
from committees.search import search as run_search
from organisation.access import require
from organisation.policies import is_signed_in
from portal_kit.files import stored_file_response

PER_PAGE = 20
DOWNLOAD_TYPES = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/msword": ".doc",
}


def _page(request, rows, per_page=PER_PAGE):
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def _visible_meetings(user):
    return policies.meetings.visible(user, Meeting.objects.all())


def _visible_papers(user):
    return policies.papers.visible(user, Paper.objects.all())


def _visible_documents(user):
    return policies.documents.visible(user, Document.objects.all())


def _visible_consultations(user):
    return policies.consultations.visible(user, Consultation.objects.all())


def _marked_private(user, policy, queryset):
    """For a signed-in visitor, `queryset` with `in_private` (policy.in_private): an opening
    to log. An anonymous visitor sees only what is public, so nothing is marked or logged."""
    return policy.in_private(queryset) if is_signed_in(user) else queryset


def _meeting_or_404(request, pk, queryset=None):
    queryset = queryset if queryset is not None else Meeting.objects.all()
    return policies.meetings.get_or_404(request.user, queryset, pk=pk)


# --- Meetings -------------------------------------------------------------------------------


@require_safe
@require(policies.meetings, "view")
def meetings(request):
    rows = queries.upcoming_meetings(_visible_meetings(request.user))
    today = timezone.localdate()
    return render(
        request,
        "committees/public/meetings.html",
        {"page": _page(request, rows), "this_month": today, "MeetingState": MeetingState},
    )


@require_safe
@require(policies.meetings, "view")
def month(request, year: int, month: int):
    if not (1 <= month <= 12 and 1900 <= year <= 2200):
        raise Http404
    first = dt.date(year, month, 1)
    previous_month = (first - dt.timedelta(days=1)).replace(day=1)
    next_month = (first + dt.timedelta(days=31)).replace(day=1)
    return render(
        request,
        "committees/public/calendar.html",
        {
            "month": first,
            "days": queries.month_meetings(_visible_meetings(request.user), year, month),
            "previous_month": previous_month,
            "next_month": next_month,
            "today": timezone.localdate(),
            "MeetingState": MeetingState,
        },
    )


@require_safe
@require(policies.meetings, "view")
def taking_part(request):
    """How to attend a meeting, ask a question, present a petition, or film and report."""
    return render(request, "committees/public/taking_part.html", {"today": timezone.localdate()})


@require_safe
@require(policies.meetings, "view")
def meeting(request, pk: int):
    user = request.user
    meeting = _meeting_or_404(request, pk, queries.meeting_detail(Meeting.objects.all()))
    context = {
        "meeting": meeting,
        "MeetingState": MeetingState,
        "agenda_open": policies.meetings.can_see_agenda(user, meeting),
        "minutes_published": meeting.minutes_published_at is not None,
        "publication": meeting.publication(),
        "decisions": queries.meeting_decisions(
            meeting, policies.decisions.visible(user, Decision.objects.all())
        ),
    }
    # Published minutes are shown whatever the agenda's state (a council may publish the
    # minutes of a meeting whose agenda it never put on this site): item_listed lets the
    # items of either be listed, and each entry says what of it is open.
    if context["agenda_open"] or context["minutes_published"]:
        items = queries.agenda(
            meeting,
            items=policies.agenda_items.visible(user, AgendaItem.objects.all()),
            consultations=_visible_consultations(user),
            documents=_visible_documents(user),
            with_minutes=context["minutes_published"],
        )
        context["agenda"] = items
        entries = queries.flatten(items)
    if context["agenda_open"]:
        if any(entry.lists_outstanding_issues for entry in entries):
            context["outstanding_issues"] = queries.outstanding_issues(meeting)
        # The pack download is for published agendas only, so the link is too.
        if meeting.agenda_published_at is not None:
            context["pack"] = queries.ready_pack(meeting)
    if context["minutes_published"]:
        context["attendance"] = queries.attendance(meeting)
        context["declarations"] = [(e, d) for e in entries for d in e.declarations]
        # Declarations on private business are not shown, so the page cannot say that there
        # were none: only that there were none on the business it shows.
        context["minutes_withheld"] = any(not e.minute_open for e in entries)
        context["meeting_documents"] = queries.meeting_documents(meeting, _visible_documents(user))
    return render(request, "committees/public/meeting.html", context)


@require_safe
@require(policies.meetings, "view")
def meeting_pack(request, pk: int):
    """The newest ready agenda reports pack, as a PDF download."""
    meeting = _meeting_or_404(request, pk)
    if meeting.agenda_published_at is None:  # not even Governance Services: nothing public yet
        raise Http404
    pack = queries.ready_pack(meeting)
    if pack is None:
        raise Http404
    day = timezone.localdate(meeting.start)
    return stored_file_response(
        pack.file,
        filename=f"agenda-reports-pack-{day:%Y-%m-%d}-meeting-{meeting.pk}.pdf",
        content_type="application/pdf",
    )


# --- Committees and councillors -------------------------------------------------------------


@require_safe
@require(policies.organizations, "view")
def committee_list(request):
    today = timezone.localdate()
    rows = list(queries.committees())
    return render(
        request,
        "committees/public/committee_list.html",
        {
            "current": [o for o in rows if o.end_date is None or o.end_date >= today],
            "former": [o for o in rows if o.end_date is not None and o.end_date < today],
        },
    )


@require_safe
@require(policies.organizations, "view")
def committee(request, slug: str):
    organization = policies.organizations.get_or_404(
        request.user, queries.committee_detail(), slug=slug
    )
    visible = _visible_meetings(request.user)
    upcoming = list(queries.committee_meetings(visible, organization, upcoming=True)[:20])
    return render(
        request,
        "committees/public/committee.html",
        {
            "organization": organization,
            "next_meeting": queries.next_meeting(upcoming),
            "today": timezone.localdate(),
            "upcoming": upcoming,
            "past": _page(
                request, queries.committee_meetings(visible, organization, upcoming=False)
            ),
            "MeetingState": MeetingState,
        },
    )


@require_safe
@require(policies.people, "view")
def councillors(request):
    return render(
        request,
        "committees/public/councillors.html",
        {"page": _page(request, queries.councillors(), per_page=100)},
    )


@require_safe
@require(policies.people, "view")
def councillor(request, slug: str):
    person = policies.people.get_or_404(request.user, queries.councillor_detail(), slug=slug)
    posts, past_posts = queries.split_current(person.posts.all())
    return render(
        request,
        "committees/public/councillor.html",
        {
            "person": person,
            "memberships": person.current_memberships,
            "past_memberships": person.past_memberships,
            "posts": posts,
            "past_posts": past_posts,
        },
    )


# --- Reports and their files ----------------------------------------------------------------


@require_safe
@require(policies.papers, "view")
def report(request, pk: int):
    user = request.user
    paper = policies.papers.get_or_404(
        user,
        _marked_private(
            user,
            policies.papers,
            queries.paper_detail(_visible_documents(user), _visible_consultations(user)),
        ),
        pk=pk,
    )
    if getattr(paper, "in_private", False):
        services.record_private_opening(paper=paper, actor=user)
    return render(
        request,
        "committees/public/report.html",
        {
            "paper": paper,
            "exemption": paper.exemption_text,
            "contributors": [s for s in paper.sign_off_rows if s.kind == "contributor"],
            "approvers": [s for s in paper.sign_off_rows if s.kind == "approver"],
        },
    )


@require_safe
@require(policies.documents, "view")
def document(request, pk: int):
    """The file itself, always as a download under its cleaned original name."""
    user = request.user
    doc = policies.documents.get_or_404(
        user, _marked_private(user, policies.documents, Document.objects.all()), pk=pk
    )
    if getattr(doc, "in_private", False):
        services.record_private_opening(paper=doc.paper, document=doc, actor=user)
    extension = DOWNLOAD_TYPES.get(doc.mime_type, "")
    return stored_file_response(
        doc.file,
        filename=clean_display_name(doc.original_name, extension),
        content_type=doc.mime_type if extension else "application/octet-stream",
    )


# --- Decisions and the forward plan ---------------------------------------------------------


@require_safe
@require(policies.decisions, "view")
def decisions(request):
    form = DecisionFilterForm(request.GET or None)
    page = None
    if not form.is_bound or form.is_valid():
        filters = form.cleaned_data if form.is_bound else {}
        rows = queries.decisions_register(
            policies.decisions.visible(request.user, Decision.objects.all()),
            decision_maker=filters.get("decision_maker"),
            date_from=filters.get("date_from"),
            date_to=filters.get("date_to"),
        )
        page = _page(request, rows)
    return render(
        request,
        "committees/public/decisions.html",
        {"form": form, "page": page, "query_string": _without_page(request)},
    )


@require_safe
@require(policies.decisions, "view")
def decision(request, pk: int):
    user = request.user
    row = policies.decisions.get_or_404(
        user,
        queries.decision_detail(Decision.objects.all(), _visible_papers(user)),
        pk=pk,
    )
    return render(request, "committees/public/decision.html", {"decision": row})


@require_safe
@require(policies.meetings, "view")
def forward_plan(request):
    rows = queries.forward_plan(_visible_papers(request.user))
    return render(
        request, "committees/public/forward_plan.html", {"page": _page(request, rows, 50)}
    )


# --- Search ---------------------------------------------------------------------------------


@require_safe
@require(policies.meetings, "view")
def search(request):
    """Search what the public can see. The index holds public content only, so results are
    the same for everyone."""
    form = SearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        results = run_search(
            data["q"],
            organization=data["committee"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            page=request.GET.get("page") or 1,
        )
    return render(
        request,
        "committees/public/search.html",
        {"form": form, "results": results, "query_string": _without_page(request)},
    )


def _without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
