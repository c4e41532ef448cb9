"""Governance Services' own pages: meetings, agendas, reports, minutes and decisions.

Every view is guarded by `policies.committee_business` (Governance Services only) and is
thin: it asks committees.queries.manage for what the page shows, and a form page hands its
valid form to one function of committees.services through `_form_view`, which puts the
service's ValidationError back on the form or confirms and moves on. GET never changes
anything but the log of openings of private papers (services.record_private_opening), which
its own page, for Governance Services and the Monitoring Officer, shows.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from committees import policies, rules, services
from committees.forms import manage as f
from committees.models import (
    AgendaItem,
    Meeting,
    MeetingState,
    PackStatus,
    Paper,
)
from committees.queries import manage as queries
from organisation.access import require
from organisation.policies import Action
from organisation.queries import history_entries
from portal_kit.files import stored_file_response
from portal_kit.forms import link_error
from portal_kit.templatetags.portal_kit import day
from portal_kit.views import add_service_error as _add_service_error
from portal_kit.views import form_view
from portal_kit.views import posted as _posted

policy = policies.committee_business
manage = require(policy, "manage")
get_or_post = require_http_methods(["GET", "POST"])
#: The services name a meeting's times `start` and `end`; its forms, `start_time`, `end_time`.
TIMES = {"start": "start_time", "end": "end_time"}


# --- Helpers ---------------------------------------------------------------------------------


def _meeting(request, pk, queryset=None) -> Meeting:
    return policy.get_or_404(
        request.user, queryset if queryset is not None else Meeting.objects.all(), "manage", pk=pk
    )


def _item(request, pk) -> AgendaItem:
    return policy.get_or_404(request.user, queries.agenda_item_for_manage(), "manage", pk=pk)


def _paper(request, pk, queryset=None) -> Paper:
    return policy.get_or_404(
        request.user, queryset if queryset is not None else Paper.objects.all(), "manage", pk=pk
    )


def _meeting_url(meeting_id, anchor="") -> str:
    return reverse("manage:meeting", args=[meeting_id]) + (f"#{anchor}" if anchor else "")


def _minutes_url(meeting_id, anchor="") -> str:
    return reverse("manage:meeting_minutes", args=[meeting_id]) + (f"#{anchor}" if anchor else "")


def _form_page(request, template, form, **context):
    return render(request, f"committees/manage/{template}", {"form": form, **context})


def _saved(message: str, details) -> str:
    """The confirmation, saying what of the clerk's answers was not kept."""
    return f"{message}. {services.PARAGRAPHS_NOT_KEPT}" if details.paragraphs_not_kept else message


def _form_view(request, form, *, template, **kwargs):
    """portal_kit.views.form_view, the shape of every form page, for a page of
    committees/manage/."""
    return form_view(request, form, template=f"committees/manage/{template}", **kwargs)


# --- Meetings -------------------------------------------------------------------------------


@manage
@require_safe
def meetings(request):
    now = timezone.now()
    return render(
        request,
        "committees/manage/meetings.html",
        {
            "upcoming": queries.upcoming_meetings(request.GET.get("page"), now=now),
            "recent": queries.recent_meetings(now=now),
        },
    )


@manage
@get_or_post
def meeting_create(request):
    form = f.MeetingForm(
        _posted(request),
        organizations=queries.organizations(),
        locations=queries.locations(),
        contact_officers=queries.contact_officers(),
    )

    def act(data):
        start, end = form.start_and_end()
        return services.create_meeting(
            organizations=data["organizations"],
            start=start,
            end=end,
            location=data["location"],
            contact_officer=data["contact_officer"],
            webcast_url=data["webcast_url"],
            name=data["name"],
            already_held=data["already_held"],
            actor=request.user,
        )

    return _form_view(
        request,
        form,
        template="meeting_form.html",
        act=act,
        done=lambda meeting: ("Meeting created", _meeting_url(meeting.pk)),
        renames=TIMES,
    )


@manage
@require_safe
def meeting(request, pk):
    meeting = _meeting(request, pk, queries.meeting_for_manage())
    pack, ready_pack = queries.latest_and_ready_pack(meeting)
    items = queries.agenda(meeting)
    return render(
        request,
        "committees/manage/meeting.html",
        {
            "meeting": meeting,
            "items": items,
            "shortfalls": queries.agenda_shortfalls(items),
            "pack": pack,
            "ready_pack": ready_pack,
            "publication": meeting.publication(),
            # The services refuse changes for the same reason (MeetingPolicy.closed_to_change).
            "can_edit": not policies.meetings.refusal(request.user, Action.MANAGE, meeting),
            "states": MeetingState,
        },
    )


@manage
@get_or_post
def meeting_reschedule(request, pk):
    meeting = _meeting(request, pk, queries.meeting_for_manage())
    local_start = timezone.localtime(meeting.start)
    initial = {
        "date": local_start.date(),
        "start_time": f"{local_start:%H:%M}",
        "end_time": f"{timezone.localtime(meeting.end):%H:%M}" if meeting.end else "",
        "location": meeting.location_id,
        "version": meeting.version,
    }
    form = f.RescheduleForm(_posted(request), initial=initial, locations=queries.locations())

    def act(data):
        start, end = form.start_and_end()
        return services.reschedule_meeting(
            meeting=meeting,
            start=start,
            end=end,
            location=data["location"],
            version=data["version"],
            actor=request.user,
        )

    return _form_view(
        request,
        form,
        template="meeting_reschedule.html",
        act=act,
        done=lambda _: ("Meeting rescheduled", _meeting_url(meeting.pk)),
        renames=TIMES,
        meeting=meeting,
    )


@manage
@get_or_post
def meeting_cancel(request, pk):
    meeting = _meeting(request, pk, queries.meeting_for_manage())
    form = f.CancelMeetingForm(_posted(request), initial={"version": meeting.version})
    return _form_view(
        request,
        form,
        template="meeting_cancel.html",
        act=lambda data: services.cancel_meeting(
            meeting=meeting, reason=data["reason"], version=data["version"], actor=request.user
        ),
        done=lambda _: ("Meeting cancelled", _meeting_url(meeting.pk)),
        meeting=meeting,
    )


@manage
@get_or_post
def meeting_publish(request, pk):
    """Publish the agenda; when it is late, the page asks for the reason for urgency."""
    meeting = _meeting(request, pk, queries.meeting_for_manage())
    publication = meeting.publication()
    form = f.PublishAgendaForm(_posted(request), needs_reason=publication.late)
    if request.method == "POST" and form.is_valid():
        try:
            services.publish_agenda(
                meeting=meeting,
                actor=request.user,
                late_reason=form.cleaned_data.get("late_reason", ""),
            )
        except ValidationError as error:
            late = hasattr(error, "error_dict") and "late_reason" in error.error_dict
            if late and not form.needs_reason:
                form = f.PublishAgendaForm(request.POST, needs_reason=True)
                form.is_valid()
            _add_service_error(form, error)
            _link_to_reports(form, error)
        else:
            messages.success(request, "Agenda published")
            return redirect(_meeting_url(meeting.pk))
    return _form_page(
        request,
        "meeting_publish.html",
        form,
        meeting=meeting,
        publication=publication,
    )


def _link_to_reports(form, error: ValidationError) -> None:
    """Each report refused for lacking approvals is linked, in the error summary, to its
    sign-off table."""
    for refusal in getattr(error, "error_list", []):
        if refusal.code == "sign_off":
            url = reverse("manage:report", args=[refusal.params["paper"]]) + "#sign-off"
            link_error(form, next(iter(refusal)), url)


@manage
@require_safe
def pack_download(request, pk):
    """The meeting's published pack (the newest ready build), as a PDF download."""
    meeting = _meeting(request, pk)
    pack = queries.ready_pack(meeting)
    if pack is None:
        raise Http404
    day = timezone.localdate(meeting.start)
    return stored_file_response(
        pack.file,
        filename=f"agenda-reports-pack-{day:%Y-%m-%d}-meeting-{meeting.pk}.pdf",
        content_type="application/pdf",
    )


@manage
@require_safe
def pack_status(request, pk):
    meeting = _meeting(request, pk, queries.meeting_for_manage())
    pack = queries.latest_pack(meeting, with_other_published=True)
    return render(
        request,
        "committees/manage/pack_status.html",
        {
            "meeting": meeting,
            "pack": pack,
            "in_progress": pack is not None
            and pack.status in (PackStatus.QUEUED, PackStatus.BUILDING),
        },
    )


@manage
@require_POST
def pack_rebuild(request, pk):
    meeting = _meeting(request, pk)
    services.rebuild_pack(meeting=meeting, actor=request.user)
    messages.success(request, "The agenda pack is being rebuilt")
    return redirect("manage:pack_status", pk=meeting.pk)


@manage
@require_safe
def meeting_history(request, pk):
    meeting = _meeting(request, pk, queries.meeting_for_manage())
    return render(
        request,
        "committees/manage/history.html",
        {
            "object_label": meeting.title,
            "caption": f"Meeting, {timezone.localtime(meeting.start):%-d %B %Y}",
            "back_url": _meeting_url(meeting.pk),
            "entries": history_entries(meeting),
        },
    )


# --- The agenda -----------------------------------------------------------------------------


def _item_form(request, meeting, **kwargs):
    return f.AgendaItemForm(
        _posted(request), earlier_meetings=queries.earlier_meetings(meeting), **kwargs
    )


@manage
@get_or_post
def item_add(request, pk, parent_pk=None):
    meeting = _meeting(request, pk, queries.meeting_for_manage())
    parent = None
    if parent_pk is not None:
        parent = policy.get_or_404(
            request.user, AgendaItem.objects.filter(meeting=meeting), "manage", pk=parent_pk
        )
    form = _item_form(request, meeting)
    return _form_view(
        request,
        form,
        template="item_form.html",
        act=lambda data: services.add_agenda_item(
            meeting=meeting, parent=parent, details=form.details(), actor=request.user
        ),
        done=lambda item: (
            _saved(f"Item {item.full_number} added", form.details()),
            _meeting_url(meeting.pk, f"item-{item.pk}"),
        ),
        meeting=meeting,
        parent=parent,
    )


@manage
@get_or_post
def item_edit(request, pk):
    item = _item(request, pk)
    form = _item_form(request, item.meeting, initial=f.AgendaItemForm.initial_for(item))
    return _form_view(
        request,
        form,
        template="item_form.html",
        act=lambda data: services.update_agenda_item(
            item=item, details=form.details(), version=data["version"], actor=request.user
        ),
        done=lambda _: (
            _saved(f"Item {item.full_number} saved", form.details()),
            _meeting_url(item.meeting_id, f"item-{item.pk}"),
        ),
        meeting=item.meeting,
        item=item,
    )


@manage
@require_POST
def item_move(request, pk):
    item = _item(request, pk)
    form = f.MoveItemForm(request.POST)
    if form.is_valid():
        try:
            services.move_agenda_item(
                item=item, direction=form.cleaned_data["direction"], actor=request.user
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
    return redirect(_meeting_url(item.meeting_id, f"item-{item.pk}"))


@manage
@get_or_post
def item_remove(request, pk):
    item = _item(request, pk)
    number = item.full_number
    return _form_view(
        request,
        f.ConfirmForm(_posted(request), submit_label="Remove item", warning=True),
        template="item_remove.html",
        act=lambda data: services.remove_agenda_item(item=item, actor=request.user),
        done=lambda _: (f"Item {number} removed", _meeting_url(item.meeting_id)),
        item=item,
        meeting=item.meeting,
    )


@manage
@get_or_post
def item_attach_report(request, pk):
    item = _item(request, pk)
    return _form_view(
        request,
        f.AttachReportForm(_posted(request), papers=queries.papers_for_choice()),
        template="item_attach_report.html",
        act=lambda data: services.attach_report(
            item=item,
            paper=data["paper"],
            role=data["role"],
            recommendation=data["recommendation"],
            actor=request.user,
        ),
        done=lambda _: (
            f"Report attached to item {item.full_number}",
            _meeting_url(item.meeting_id, f"item-{item.pk}"),
        ),
        item=item,
        meeting=item.meeting,
        required_sign_offs=rules.required_sign_offs(),
    )


@manage
@require_safe
def item_history(request, pk):
    item = _item(request, pk)
    return render(
        request,
        "committees/manage/history.html",
        {
            "object_label": f"{item.full_number} {item.title}",
            "caption": f"Agenda item, {f.meeting_label(item.meeting)}",
            "back_url": _meeting_url(item.meeting_id, f"item-{item.pk}"),
            "entries": history_entries(item),
        },
    )


# --- Minutes --------------------------------------------------------------------------------


def _item_choices(meeting) -> list[tuple[int, str]]:
    return [(i.pk, f"{i.full_number} {i.title}") for i in queries.items_of(meeting)]


@manage
@require_safe
def meeting_minutes(request, pk):
    meeting = _meeting(request, pk, queries.meeting_for_manage())
    return render(
        request,
        "committees/manage/minutes.html",
        {"meeting": meeting, "states": MeetingState, **queries.minutes(meeting)},
    )


@manage
@get_or_post
def attendance(request, pk):
    meeting = _meeting(request, pk, queries.meeting_for_manage())
    choices = {
        "people": queries.person_choices(),
        "directorates": queries.directorate_choices(),
        "meeting": meeting,
    }
    formset = f.AttendanceFormSet(
        _posted(request),
        initial=None if request.method == "POST" else queries.attendance_rows(meeting),
        form_kwargs=choices,
        prefix="attendance",
    )
    problems = []
    if request.method == "POST" and formset.is_valid():
        entries = formset.entries(
            people_by_pk=queries.people_by_pk(
                formset.chosen_pks("person") | formset.chosen_pks("substitute_for")
            ),
            directorates_by_pk=queries.directorates_by_pk(formset.chosen_pks("directorate")),
        )
        try:
            services.record_attendance(
                meeting=meeting,
                entries=entries,
                version=_posted_version(request),
                actor=request.user,
            )
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, "Attendance saved")
            return redirect(_minutes_url(meeting.pk, "attendance"))
    error_count = (formset.total_error_count() if formset.is_bound else 0) + len(problems)
    return render(
        request,
        "committees/manage/attendance.html",
        {
            "meeting": meeting,
            "formset": formset,
            "problems": problems,
            # base.html prefixes the title with "Error:" when `form.errors` is true.
            "form": {"errors": error_count},
        },
    )


@manage
@get_or_post
def declaration_add(request, pk):
    meeting = _meeting(request, pk, queries.meeting_for_manage())
    form = f.DeclarationForm(
        _posted(request), items=_item_choices(meeting), people=queries.person_choices()
    )

    def act(data):
        item = queries.item_of(meeting, data["agenda_item"])
        return services.record_declaration(
            item=item,
            person=queries.people_by_pk([data["person"]])[data["person"]],
            interest=data["interest"],
            description=data["description"],
            actor=request.user,
        )

    return _form_view(
        request,
        form,
        template="declaration_form.html",
        act=act,
        done=lambda declaration: (
            "Declaration recorded",
            _minutes_url(meeting.pk, f"minute-{declaration.agenda_item_id}"),
        ),
        meeting=meeting,
    )


@manage
@get_or_post
def item_minute(request, pk):
    item = _item(request, pk)
    form = f.MinuteForm(
        _posted(request),
        initial={
            "minutes_text": item.minutes_text,
            "resolutions": f.resolutions_text(queries.resolutions_of(item)),
            "version": item.version,
            **{f"{f.VOTE_PREFIX}{pk}": choice for pk, choice in queries.votes_of(item).items()},
        },
        voters=queries.voters(item.meeting),
    )
    return _form_view(
        request,
        form,
        template="item_minute.html",
        act=lambda data: services.record_minute(
            item=item,
            minutes_text=data["minutes_text"],
            resolutions=form.cleaned_resolutions(),
            votes=form.cleaned_votes(),
            version=data["version"],
            actor=request.user,
        ),
        done=lambda _: (
            f"Minute of item {item.full_number} saved",
            _minutes_url(item.meeting_id, f"minute-{item.pk}"),
        ),
        item=item,
        meeting=item.meeting,
    )


@manage
@get_or_post
def minutes_publish(request, pk):
    meeting = _meeting(request, pk, queries.meeting_for_manage())
    form = f.PublishMinutesForm(
        _posted(request),
        initial={"closed_at": f"{meeting.closed_at:%H:%M}" if meeting.closed_at else ""},
    )
    return _form_view(
        request,
        form,
        template="minutes_publish.html",
        act=lambda data: services.publish_minutes(
            meeting=meeting, closed_at=data["closed_at"], actor=request.user
        ),
        done=lambda _: ("Minutes published", _minutes_url(meeting.pk)),
        meeting=meeting,
    )


@manage
@get_or_post
def minutes_approve(request, pk):
    meeting = _meeting(request, pk, queries.meeting_for_manage())
    return _form_view(
        request,
        f.ApproveMinutesForm(_posted(request), later_meetings=queries.later_meetings(meeting)),
        template="minutes_approve.html",
        act=lambda data: services.approve_minutes(
            meeting=meeting, at_meeting=data["at_meeting"], actor=request.user
        ),
        done=lambda _: ("Approval of the minutes recorded", _minutes_url(meeting.pk)),
        meeting=meeting,
    )


@manage
@get_or_post
def minutes_correct(request, pk):
    meeting = _meeting(request, pk, queries.meeting_for_manage())
    return _form_view(
        request,
        f.CorrectionForm(_posted(request), items=_item_choices(meeting)),
        template="minutes_correct.html",
        act=lambda data: services.correct_minutes(
            meeting=meeting,
            correction=data["correction"],
            reason=data["reason"],
            item=queries.item_of(meeting, data["agenda_item"]) if data["agenda_item"] else None,
            actor=request.user,
        ),
        done=lambda _: ("Correction recorded", _minutes_url(meeting.pk, "corrections")),
        renames={"item": "agenda_item"},
        meeting=meeting,
    )


@manage
@require_safe
def outstanding_issues(request):
    return render(
        request,
        "committees/manage/outstanding_issues.html",
        {"issues": queries.outstanding_issues(request.GET.get("page"))},
    )


@manage
@get_or_post
def issue_close(request, pk):
    resolution = policy.get_or_404(request.user, queries.resolution_for_manage(), "manage", pk=pk)
    return _form_view(
        request,
        f.CloseIssueForm(_posted(request), items=queries.closing_items(resolution)),
        template="issue_close.html",
        act=lambda data: services.close_outstanding_issue(
            resolution=resolution, closed_by=data["closed_by"], actor=request.user
        ),
        done=lambda _: ("Issue closed", reverse("manage:outstanding_issues")),
        resolution=resolution,
    )


# --- Reports --------------------------------------------------------------------------------


@manage
@require_safe
def reports(request):
    return render(
        request,
        "committees/manage/reports.html",
        {"reports": queries.reports(request.GET.get("page"))},
    )


@manage
@require_safe
def report(request, pk):
    paper = _paper(request, pk, policies.papers.in_private(queries.report_for_manage()))
    if paper.in_private:
        services.record_private_opening(paper=paper, actor=request.user)
    return render(
        request,
        "committees/manage/report.html",
        {"paper": paper, "shortfalls": queries.shortfalls(paper.consultations.all())},
    )


@manage
@get_or_post
def report_create(request):
    """A new report; from an agenda item's "Attach a report" page (`?item=`), put on that
    item at once, and back to it."""
    item_pk = request.GET.get("item")
    if item_pk is None:
        form = f.PaperForm(_posted(request), directorates=queries.directorates())
        return _form_view(
            request,
            form,
            template="report_form.html",
            act=lambda data: services.create_paper(details=form.details(), actor=request.user),
            done=lambda paper: (
                _saved("Report created", form.details()),
                reverse("manage:report", args=[paper.pk]),
            ),
        )
    if not item_pk.isdigit() or len(item_pk) > 9:
        raise Http404
    item = _item(request, int(item_pk))
    form = f.ItemPaperForm(_posted(request), directorates=queries.directorates())
    return _form_view(
        request,
        form,
        template="report_form.html",
        act=lambda data: services.create_paper(
            details=form.details(),
            item=item,
            role=data["role"],
            recommendation=data["recommendation"],
            actor=request.user,
        ),
        done=lambda paper: (
            _saved(f"Report created and attached to item {item.full_number}", form.details()),
            _meeting_url(item.meeting_id, f"item-{item.pk}"),
        ),
        item=item,
        meeting=item.meeting,
    )


@manage
@get_or_post
def report_edit(request, pk):
    paper = _paper(request, pk)
    form = f.PaperForm(
        _posted(request),
        initial=f.PaperForm.initial_for(paper),
        directorates=queries.directorates(),
    )
    return _form_view(
        request,
        form,
        template="report_form.html",
        act=lambda data: services.update_paper(
            paper=paper, details=form.details(), version=data["version"], actor=request.user
        ),
        done=lambda _: (
            _saved("Report saved", form.details()),
            reverse("manage:report", args=[paper.pk]),
        ),
        paper=paper,
    )


@manage
@get_or_post
def report_upload(request, pk):
    paper = _paper(request, pk)
    form = f.UploadDocumentForm(
        _posted(request), request.FILES if request.method == "POST" else None
    )
    return _form_view(
        request,
        form,
        template="report_upload.html",
        act=lambda data: services.upload_document(
            uploaded_file=data["file"],
            paper=paper,
            kind=data["kind"],
            title=data["title"],
            actor=request.user,
        ),
        done=lambda _: ("File uploaded", reverse("manage:report", args=[paper.pk])),
        renames={"paper": None},
        paper=paper,
    )


def _report_url(paper_id, anchor="") -> str:
    return reverse("manage:report", args=[paper_id]) + (f"#{anchor}" if anchor else "")


@manage
@get_or_post
def report_sign_off(request, pk):
    paper = _paper(request, pk)
    form = f.SignOffForm(_posted(request))
    return _form_view(
        request,
        form,
        template="report_sign_off.html",
        act=lambda data: services.record_sign_off(
            paper=paper, actor=request.user, **form.service_fields()
        ),
        done=lambda _: ("Added to the sign-off table", _report_url(paper.pk, "sign-off")),
        paper=paper,
    )


def _sign_off(request, pk):
    return policy.get_or_404(request.user, queries.sign_off_for_manage(), "manage", pk=pk)


@manage
@get_or_post
def sign_off_edit(request, pk):
    sign_off = _sign_off(request, pk)
    form = f.SignOffForm(
        _posted(request),
        initial=f.SignOffForm.initial_for(sign_off),
        submit_label="Save the correction",
    )
    return _form_view(
        request,
        form,
        template="sign_off_form.html",
        act=lambda data: services.correct_sign_off(
            sign_off=sign_off, version=data["version"], actor=request.user, **form.service_fields()
        ),
        done=lambda row: (
            _with_shortfalls(f"Sign-off of {row.name} corrected", sign_off.paper),
            _report_url(sign_off.paper_id, f"sign-off-{sign_off.pk}"),
        ),
        paper=sign_off.paper,
        sign_off=sign_off,
    )


@manage
@get_or_post
def sign_off_withdraw(request, pk):
    sign_off = _sign_off(request, pk)
    form = f.WithdrawForm(
        _posted(request),
        initial={"version": sign_off.version},
        submit_label="Withdraw from the sign-off table",
    )
    return _form_view(
        request,
        form,
        template="withdraw.html",
        act=lambda data: services.withdraw_sign_off(
            sign_off=sign_off, reason=data["reason"], version=data["version"], actor=request.user
        ),
        done=lambda row: (
            _with_shortfalls(f"Sign-off of {row.name} withdrawn", sign_off.paper),
            _report_url(sign_off.paper_id, f"sign-off-{sign_off.pk}"),
        ),
        paper=sign_off.paper,
        heading=f"Withdraw {sign_off.name} from the sign-off table",
        back_url=_report_url(sign_off.paper_id, f"sign-off-{sign_off.pk}"),
        about=_sign_off_label(sign_off),
    )


def _with_shortfalls(message: str, paper: Paper) -> str:
    """The confirmation of a change to a sign-off table, saying plainly where the report is
    now on a published agenda without the approvals it needs (policies.published_lacking)."""
    shortfalls = queries.report_shortfalls(paper)
    if not shortfalls:
        return message
    where = " and of ".join(
        f"{s.step.meeting.title}, {day(s.step.meeting.start)}" for s in shortfalls
    )
    plural = "s" if len(shortfalls) > 1 else ""
    return (
        f"{message}. The report is on the published agenda{plural} of {where}, and now lacks "
        f"{shortfalls[0].approvals_text}"
    )


def _sign_off_label(sign_off) -> str:
    what = sign_off.get_kind_display()
    if sign_off.category:
        what += f": {sign_off.get_category_display()}"
    return f"{what}, {sign_off.name}"


@manage
@require_safe
def sign_off_history(request, pk):
    sign_off = _sign_off(request, pk)
    return render(
        request,
        "committees/manage/history.html",
        {
            "object_label": _sign_off_label(sign_off),
            "caption": f"Sign-off table, {sign_off.paper.title}",
            "back_url": _report_url(sign_off.paper_id, f"sign-off-{sign_off.pk}"),
            "entries": history_entries(sign_off),
        },
    )


def _document(request, pk):
    return policy.get_or_404(request.user, queries.document_for_manage(), "manage", pk=pk)


def _document_back_url(document) -> str:
    """Where the file is listed: its report's page, or its meeting's minutes."""
    if document.paper_id is not None:
        return _report_url(document.paper_id, f"file-{document.pk}")
    return _minutes_url(document.meeting_id)


def _document_caption(document) -> str:
    if document.paper_id is not None:
        return document.paper.title
    return f"Minutes, {timezone.localtime(document.meeting.start):%-d %B %Y}"


@manage
@get_or_post
def document_replace(request, pk):
    document = _document(request, pk)
    form = f.ReplaceDocumentForm(
        _posted(request),
        request.FILES if request.method == "POST" else None,
        initial={"version": document.version},
    )
    return _form_view(
        request,
        form,
        template="document_replace.html",
        act=lambda data: services.replace_document(
            document=document,
            uploaded_file=data["file"],
            title=data["title"],
            reason=data["reason"],
            version=data["version"],
            actor=request.user,
        ),
        done=lambda new: (
            f"{document.title} replaced by the corrected file",
            _document_back_url(new),
        ),
        renames={"paper": None},
        document=document,
        caption=_document_caption(document),
        back_url=_document_back_url(document),
    )


@manage
@get_or_post
def document_withdraw(request, pk):
    document = _document(request, pk)
    form = f.WithdrawForm(
        _posted(request), initial={"version": document.version}, submit_label="Withdraw the file"
    )
    return _form_view(
        request,
        form,
        template="withdraw.html",
        act=lambda data: services.withdraw_document(
            document=document, reason=data["reason"], version=data["version"], actor=request.user
        ),
        done=lambda _: (f"{document.title} withdrawn", _document_back_url(document)),
        heading=f"Withdraw the file {document.title}",
        caption=_document_caption(document),
        back_url=_document_back_url(document),
        about=f"{document.get_kind_display()}: {document.title} ({document.original_name})",
        public_note=True,
    )


@manage
@require_safe
def document_history(request, pk):
    document = _document(request, pk)
    return render(
        request,
        "committees/manage/history.html",
        {
            "object_label": document.title,
            "caption": f"File, {_document_caption(document)}",
            "back_url": _document_back_url(document),
            "entries": history_entries(document),
        },
    )


@manage
@require_safe
def report_history(request, pk):
    paper = _paper(request, pk)
    return render(
        request,
        "committees/manage/history.html",
        {
            "object_label": paper.title,
            "caption": f"Report {paper.reference}",
            "back_url": reverse("manage:report", args=[paper.pk]),
            "entries": history_entries(paper),
        },
    )


# --- Decisions and the forward plan ----------------------------------------------------------


@manage
@require_safe
def decisions(request):
    return render(
        request,
        "committees/manage/decisions.html",
        {"decisions": queries.recent_decisions(), "forward_plan": queries.forward_plan()},
    )


@manage
@get_or_post
def decision_create(request):
    form = f.OfficerDecisionForm(
        _posted(request),
        papers=queries.papers_for_choice(),
        forward_plan_entries=queries.forward_plan_entries_for_choice(),
    )
    return _form_view(
        request,
        form,
        template="decision_form.html",
        act=lambda data: services.record_decision(
            kind="officer", actor=request.user, **form.service_fields()
        ),
        done=lambda _: ("Officer decision recorded", reverse("manage:decisions")),
    )


@manage
@get_or_post
def forward_plan_create(request):
    form = f.ForwardPlanEntryForm(
        _posted(request),
        organizations=queries.organizations(),
        papers=queries.papers_for_choice(),
    )
    return _form_view(
        request,
        form,
        template="forward_plan_form.html",
        act=lambda data: services.add_forward_plan_entry(
            title=data["title"],
            decision_maker=data["decision_maker"],
            expected_date=data["expected_date"],
            summary=data["summary"],
            documents=data["documents"],
            wards_affected=data["wards_affected"],
            contact=data["contact"],
            paper=data["paper"],
            actor=request.user,
        ),
        done=lambda _: ("Added to the forward plan", reverse("manage:decisions") + "#forward-plan"),
    )


@require(policies.private_openings, "view")
@require_safe
def private_openings(request):
    """Who opened which private report or file, and when: newest first."""
    return render(
        request,
        "committees/manage/private_openings.html",
        {"page": queries.private_openings(request.GET.get("page"))},
    )


def _posted_version(request) -> int | None:
    """The version of the record the form was opened on (optimistic locking)."""
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() and len(value) < 10 else None
