"""The handlers' pages: the Monitoring Officer's register (policy 28), its export, each case
with its timeline and files, the action pages, and the log of who opened a case.

Every view declares what it needs of whistleblowing.policies (`require`) and fetches the
case with `policy.get_or_404`, so a case that is not the reader's is the same 404 as one that
does not exist. Opening a case, one of its files or the export is recorded
(services.record_opening) before anything of it is shown; the action pages show only the
case's reference and dates, never its words, so only the case page and the downloads unseal
anything. A form page hands its valid form to one service through portal_kit.views.form_view.
"""

import csv
import unicodedata

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from organisation.access import require
from portal_kit.files import bytes_file_response
from portal_kit.templatetags.portal_kit import day
from portal_kit.time import LONDON
from portal_kit.views import form_view, posted, posted_files
from whistleblowing import queries, services
from whistleblowing.forms import handle as f
from whistleblowing.models import Concern, OpeningKind, Status
from whistleblowing.policies import ConcernAction
from whistleblowing.policies import concerns as policy

get_or_post = require_http_methods(["GET", "POST"])


def _today():
    return timezone.now().astimezone(LONDON).date()


def _case(request, pk, action=ConcernAction.OPEN) -> Concern:
    return policy.get_or_404(request.user, queries.case_queryset(), action, pk=pk)


def _case_url(pk) -> str:
    return reverse("concerns:case", args=[pk])


def _query_string(request) -> str:
    """The register's filters without the page number, for the pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- The register ---------------------------------------------------------------------------


@require(policy, ConcernAction.REGISTER)
@require_safe
def register(request):
    """Every concern the reader may see (the Monitoring Officer all of them), newest first,
    with the filters chosen: its reference, dates, ground, handler, status, action taken,
    acknowledgement clock and whether the reporter waits. Nothing of a case is unsealed."""
    form = f.RegisterFilterForm(request.GET or None)
    page = None
    today = _today()
    if not form.is_bound or form.is_valid():
        filters = form.cleaned_data if form.is_bound else {}
        page = queries.register_page(
            request.user, filters=filters, page_number=request.GET.get("page"), today=today
        )
    return render(
        request,
        "whistleblowing/handle/register.html",
        {
            "form": form,
            "page": page,
            "rows": [(c, c.clock(today)) for c in page.object_list] if page else [],
            "query_string": _query_string(request),
            "can_export": policy.can(request.user, ConcernAction.EXPORT),
            "can_report": policy.can(request.user, ConcernAction.REPORT),
        },
    )


#: The export's columns: (heading, value of a concern on a day). No content, no identities.
EXPORT_COLUMNS = (
    ("Reference", lambda c, today: c.reference),
    ("Received", lambda c, today: day(c.received_at)),
    ("How it was raised", lambda c, today: c.get_channel_display()),
    ("What it is about", lambda c, today: c.get_ground_display()),
    ("Dealt with by", lambda c, today: c.get_route_display()),
    ("Investigating officer", lambda c, today: c.investigator.full_name if c.investigator else ""),
    ("Status", lambda c, today: c.get_status_display()),
    ("Triage", lambda c, today: c.get_triage_display()),
    ("Other procedure", lambda c, today: c.get_other_procedure_display()),
    ("Outcome", lambda c, today: c.get_outcome_display()),
    ("Acknowledgement due", lambda c, today: day(c.acknowledge_due)),
    ("Acknowledged", lambda c, today: day(c.acknowledged_at)),
    ("Acknowledgement", lambda c, today: c.clock(today).wording),
    ("Reporter waiting since", lambda c, today: day(c.reporter_waiting_since)),
    ("Closed", lambda c, today: day(c.closed_at)),
    ("Content erased", lambda c, today: day(c.content_erased_at)),
)


def _cell(value: str) -> str:
    """A value a spreadsheet will not run as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@require(policy, ConcernAction.EXPORT)
@require_safe
def export(request):
    """The register as CSV, for the Monitoring Officer alone, its opening logged: the
    register's columns, never a word of a case or who raised it."""
    today = _today()
    services.record_opening(concern=None, reader=request.user, kind=OpeningKind.EXPORT)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="whistleblowing-register-{today:%Y-%m-%d}.csv"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    writer = csv.writer(response)
    writer.writerow([heading for heading, _ in EXPORT_COLUMNS])
    for concern in queries.register_export(request.user):
        writer.writerow([_cell(value(concern, today)) for _, value in EXPORT_COLUMNS])
    return response


# --- A case ---------------------------------------------------------------------------------


@require(policy, ConcernAction.OPEN)
@require_safe
def case(request, pk):
    """The case with its whole timeline and files, and the actions the reader may take: its
    opening is logged first."""
    concern = _case(request, pk)
    user = request.user
    services.record_opening(concern=concern, reader=user, kind=OpeningKind.CASE)
    erased = bool(concern.content_erased_at)
    can_handle = not erased and policy.can_for(user, ConcernAction.HANDLE, concern)
    can_direct = not erased and policy.can_for(user, ConcernAction.DIRECT, concern)
    is_open = concern.is_open
    return render(
        request,
        "whistleblowing/handle/case.html",
        {
            "concern": concern,
            "clock": concern.clock(_today()),
            "timeline": [] if erased else queries.case_timeline(concern),
            "detriments": queries.detriments_of(user, concern),
            "actions": {
                "acknowledge": can_handle and is_open and not concern.acknowledged_at,
                # A reporter may still write after closing; they can be answered without
                # reopening the case.
                "message": can_handle and not concern.content_erased_at,
                "meeting": can_handle and is_open,
                "note": can_handle and is_open,
                "appoint": can_direct and is_open,
                "reroute": can_direct and is_open,
                "triage": can_direct and is_open,
                "close": can_direct and is_open,
                "reopen": can_direct and not is_open,
            },
            "can_see_openings": policy.can(user, ConcernAction.OPENINGS),
        },
    )


def _download_name(name: str) -> str:
    """The file's name as given, without control or formatting characters."""
    cleaned = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return cleaned or "file"


@require(policy, ConcernAction.OPEN)
@require_safe
def file(request, pk):
    """A file of a case, decrypted for the reader and served as a download that no browser
    or proxy keeps; the opening is logged first."""
    attachment = queries.attachment_for_download(pk)
    if attachment is None:
        raise Http404
    concern = _case(request, attachment.concern_id)
    if concern.content_erased_at:
        raise Http404
    services.record_opening(
        concern=concern, reader=request.user, kind=OpeningKind.FILE, attachment=attachment
    )
    about = services.attachment_about(attachment)
    return bytes_file_response(
        services.attachment_bytes(attachment),
        filename=_download_name(about.get("name", "")),
        content_type=about.get("content_type") or "application/octet-stream",
    )


@require(policy, ConcernAction.OPENINGS)
@require_safe
def openings(request, pk):
    """Who opened the case, or one of its files, and when: for the Monitoring Officer."""
    concern = _case(request, pk, ConcernAction.OPENINGS)
    return render(
        request,
        "whistleblowing/handle/openings.html",
        {"concern": concern, "page": queries.openings(concern, request.GET.get("page"))},
    )


# --- Actions --------------------------------------------------------------------------------


def _action(request, concern, form, *, title, act, done, intro=""):
    return form_view(
        request,
        form,
        template="whistleblowing/handle/action.html",
        act=act,
        done=done,
        concern=concern,
        title=title,
        intro=intro,
    )


def _versioned(concern) -> dict:
    return {"version": concern.version}


@require(policy, ConcernAction.HANDLE)
@get_or_post
def acknowledge(request, pk):
    concern = _case(request, pk, ConcernAction.HANDLE)
    form = f.AcknowledgeForm(posted(request), initial=_versioned(concern))
    return _action(
        request,
        form=form,
        concern=concern,
        title="Acknowledge the concern",
        intro=f"The Whistleblowing Policy asks for a written acknowledgement within 7 days: by "
        f"{day(concern.acknowledge_due)} for this concern. It tells the reporter that the "
        f"concern was received, summarises it, and names who is dealing with it: "
        f"{services.handler_name(concern)}.",
        act=lambda data: services.acknowledge(
            concern=concern,
            summary=data["summary"],
            message=data["message"],
            version=data["version"],
            actor=request.user,
        ),
        done=lambda _: ("Acknowledgement sent", _case_url(concern.pk)),
    )


@require(policy, ConcernAction.DIRECT)
@get_or_post
def appoint(request, pk):
    concern = _case(request, pk, ConcernAction.DIRECT)
    initial = {**_versioned(concern), "investigator": concern.investigator_id}
    form = f.AppointForm(posted(request), initial=initial, investigators=queries.investigators())
    return _action(
        request,
        form=form,
        concern=concern,
        title="Appoint an investigating officer",
        act=lambda data: services.appoint_investigator(
            concern=concern,
            investigator=data["investigator"],
            version=data["version"],
            actor=request.user,
        ),
        done=lambda c: (
            f"{c.investigator.full_name or c.investigator.email} appointed",
            _case_url(concern.pk),
        ),
    )


@require(policy, ConcernAction.DIRECT)
@get_or_post
def reroute(request, pk):
    concern = _case(request, pk, ConcernAction.DIRECT)
    form = f.RerouteForm(posted(request), initial=_versioned(concern))

    def done(moved):
        # Passed on, it may no longer be the reader's (the Chief Internal Auditor's own).
        still_theirs = policy.can_for(request.user, ConcernAction.OPEN, moved)
        url = _case_url(moved.pk) if still_theirs else reverse("concerns:register")
        return f"Concern passed to the {moved.get_route_display()}", url

    return _action(
        request,
        form=form,
        concern=concern,
        title="Pass the concern on",
        intro=f"It is with the {concern.get_route_display()} now.",
        act=lambda data: services.reroute(
            concern=concern,
            route=data["route"],
            reason=data["reason"],
            version=data["version"],
            actor=request.user,
        ),
        done=done,
    )


@require(policy, ConcernAction.DIRECT)
@get_or_post
def triage(request, pk):
    concern = _case(request, pk, ConcernAction.DIRECT)
    form = f.TriageForm(posted(request), initial=_versioned(concern))
    return _action(
        request,
        form=form,
        concern=concern,
        title="Decide what happens to the concern",
        act=lambda data: services.triage(
            concern=concern,
            decision=data["decision"],
            reason=data["reason"],
            other_procedure=data["other_procedure"],
            version=data["version"],
            actor=request.user,
        ),
        done=lambda _: ("Decision recorded", _case_url(concern.pk)),
    )


@require(policy, ConcernAction.HANDLE)
@get_or_post
def meeting(request, pk):
    concern = _case(request, pk, ConcernAction.HANDLE)
    form = f.MeetingForm(posted(request), initial=_versioned(concern))
    return _action(
        request,
        form=form,
        concern=concern,
        title="Record a meeting with the reporter",
        intro="The reporter may be accompanied by a trade union or other representative, and "
        "the meeting may be held away from their normal place of work if they ask "
        "(policy paragraph 20).",
        act=lambda data: services.record_meeting(
            concern=concern,
            details=services.MeetingDetails(
                on=data["on"],
                at=data["at"],
                place=data["place"],
                away_from_workplace=data["away_from_workplace"],
                companion=data["companion"],
                note=data["note"],
            ),
            version=data["version"],
            actor=request.user,
        ),
        done=lambda _: ("Meeting recorded", _case_url(concern.pk)),
    )


@require(policy, ConcernAction.HANDLE)
@get_or_post
def note(request, pk):
    concern = _case(request, pk, ConcernAction.HANDLE)
    form = f.NoteForm(posted(request), posted_files(request))
    return _action(
        request,
        form=form,
        concern=concern,
        title="Add an investigation note",
        act=lambda data: services.add_note(
            concern=concern,
            text=data["text"],
            files=[checked.evidence() for checked in data["files"]],
            actor=request.user,
        ),
        done=lambda _: ("Note added", _case_url(concern.pk)),
    )


@require(policy, ConcernAction.HANDLE)
@get_or_post
def message(request, pk):
    concern = _case(request, pk, ConcernAction.HANDLE)
    form = f.MessageForm(posted(request))
    intro = (
        "The reporter raised this concern anonymously: they read your message when they "
        "come back with their receipt code."
        if concern.anonymous
        else ""
    )
    return _action(
        request,
        form=form,
        concern=concern,
        title="Message the reporter",
        intro=intro,
        act=lambda data: services.message_reporter(
            concern=concern, text=data["text"], actor=request.user
        ),
        done=lambda _: ("Message sent", _case_url(concern.pk)),
    )


@require(policy, ConcernAction.DIRECT)
@get_or_post
def close(request, pk):
    concern = _case(request, pk, ConcernAction.DIRECT)
    form = f.CloseForm(posted(request), initial=_versioned(concern))
    return _action(
        request,
        form=form,
        concern=concern,
        title="Close the concern",
        act=lambda data: services.close(
            concern=concern,
            outcome=data["outcome"],
            findings=data["findings"],
            lessons=data["lessons"],
            closing_message=data["closing_message"],
            version=data["version"],
            actor=request.user,
        ),
        done=lambda _: ("Concern closed", _case_url(concern.pk)),
    )


@require(policy, ConcernAction.DIRECT)
@get_or_post
def reopen(request, pk):
    concern = _case(request, pk, ConcernAction.DIRECT)
    form = f.ReopenForm(posted(request), initial=_versioned(concern))
    intro = "" if concern.status == Status.CLOSED else "This concern is not closed."
    return _action(
        request,
        form=form,
        concern=concern,
        title="Reopen the concern",
        intro=intro,
        act=lambda data: services.reopen(
            concern=concern, reason=data["reason"], version=data["version"], actor=request.user
        ),
        done=lambda _: ("Concern reopened", _case_url(concern.pk)),
    )
