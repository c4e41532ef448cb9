"""Raising a concern and following it up: the reporter's pages (no sign-in needed; officers
may be signed in), and an officer logging a concern raised with them (policy 12).

Raising. The start page, then one question a page (forms.report.JOURNEYS), check your
answers, and the confirmation. The answers travel in the pages themselves
(whistleblowing.drafts: one sealed hidden field), so a question's post is answered with the
next question, whose form posts to its own address, rather than with a redirect (a redirect's
address would have to carry the answers). "Back" and "Change" are buttons that post the draft
to the page asked for ("show"). The confirmation is the answer to the last post: it shows a
receipt code once and is never stored (`Cache-Control: no-store` on every page here), and
the code is never in an address.

Following. The receipt code opens the one case in this browser's session for
policies.ReporterAccess.GRANT_MINUTES after the last page (`_grant`); a signed-in named
reporter opens their concerns from "Your concerns" on the same terms. The case page shows
what is shared with the reporter, and takes replies with files, comments on meeting notes
and a complaint of detriment linked to the case. Anything else is the same 404.

Nothing here writes the visitor's address or browser anywhere: the address is handed to the
throttle on receipt codes (receipts.attempt_allowed), which keeps only a daily keyed hash of
it in the cache, and is not logged.
"""

import datetime as dt
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from organisation.access import require
from organisation.policies import is_signed_in
from organisation.queries import account_with_email
from portal_kit.forms import link_error
from portal_kit.views import add_service_error, posted
from whistleblowing import drafts, evidence, queries, receipts, services
from whistleblowing.forms import report as f
from whistleblowing.models import Channel, EntryKind, Ground, Status
from whistleblowing.policies import ConcernAction, concerns, reporter_access

get_or_post = require_http_methods(["GET", "POST"])
raise_allowed = require(concerns, ConcernAction.RAISE)
log_allowed = require(concerns, ConcernAction.LOG_ON_BEHALF)
#: The session key of the case a reporter may follow, and until when.
GRANT = "whistleblowing_case"
FORM_ID = "wb-question"
STEPS = {journey: {step.name: step for step in steps} for journey, steps in f.JOURNEYS.items()}
URL_PREFIX = {f.REPORT: "raise", f.BEHALF: "log"}
#: The question where each of the services' refusals is put right.
FIELD_STEPS = {
    "ground": "ground",
    "what_happened": "what_happened",
    "when": "when",
    "where": "where",
    "who": "who",
    "evidence": "evidence",
    "raised_before": "raised_before",
    "raised_before_details": "raised_before",
    "public_interest": "public_interest",
    "reporter_kind": "reporter_kind",
    "name": "contact",
    "contact": "contact",
    "files": "files",
    "channel": "channel",
}
NOT_SCREENED = "Say what your concern is about"
GONE_FILE = "{name} was removed, as every file is a few hours after it is added. Add it again"
NO_SUCH_ACCOUNT = (
    "There is no account with this email address. Check it, or log the concern anonymously"
)
OWN_ACCOUNT = "You cannot log a concern for yourself. Raise it yourself instead"
SIGNED_OUT_OF_CASE = "You have signed out of your case"
CASE_ENDED = (
    "For your safety, you were signed out of your case after "
    f"{reporter_access.GRANT_MINUTES} minutes without activity. Enter your receipt code again"
)
SENT = "Your message has been sent"
COMMENT_SENT = "Your comment has been sent"


def step_url(journey: str, name: str) -> str:
    return reverse(f"whistleblowing:{URL_PREFIX[journey]}_{name}")


# --- Pages before and around the questions ------------------------------------------------------


@never_cache
@require_safe
@raise_allowed
def start(request):
    return render(
        request,
        "whistleblowing/report/start.html",
        {"first": step_url(f.REPORT, "about"), "signed_in": is_signed_in(request.user)},
    )


@never_cache
@require_safe
@log_allowed
def log_start(request):
    return render(
        request, "whistleblowing/report/log_start.html", {"first": step_url(f.BEHALF, "channel")}
    )


@never_cache
@require_safe
def grievance(request):
    return render(request, "whistleblowing/report/grievance.html")


@never_cache
@require_safe
def school(request):
    return render(request, "whistleblowing/report/school.html")


@never_cache
@require_safe
def start_again(request):
    return render(
        request,
        "whistleblowing/report/start_again.html",
        {"idle_hours": int(drafts.IDLE.total_seconds() // 3600)},
    )


# --- The questions ----------------------------------------------------------------------------


@never_cache
@get_or_post
@raise_allowed
def question(request, *, step):
    return _question(request, f.REPORT, step)


@never_cache
@get_or_post
@log_allowed
def log_question(request, *, step):
    return _question(request, f.BEHALF, step)


def _question(request, journey: str, name: str):
    step = STEPS[journey][name]
    if request.method == "GET":
        return _show(request, drafts.Draft.new(journey), step)
    try:
        draft = drafts.Draft.opened(request.POST.get("draft"), journey)
    except drafts.DraftRefused:
        return redirect("whistleblowing:start_again")
    if "show" in request.POST:
        return _show(request, draft, step)
    if step is f.CHECK:
        return _send(request, draft)
    if step.name == "files" and "remove" in request.POST:
        return _remove_file(request, draft, step)
    form = _form(request, draft, step, bound=True)
    if not form.is_valid():
        return _show(request, draft, step, form)
    if step.name == "about" and form.cleaned_data["about"] != f.ABOUT_WRONGDOING:
        drafts.forget_files(draft.files)
        exit_page = "grievance" if form.cleaned_data["about"] == f.ABOUT_GRIEVANCE else "school"
        return redirect(f"whistleblowing:{exit_page}")
    added = []
    if step.name == "files":
        checked = form.cleaned_data["files"]
        if checked:
            drafts.sweep()
        added = [drafts.keep_file(file) for file in checked]
        draft.files += added
    if step.name == "reporter":
        refusal = _reporter_refusal(request.user, form.cleaned_data["reporter_email"])
        if refusal:
            form.add_error("reporter_email", refusal)
            return _show(request, draft, step, form)
    draft.answer(step.name, form.values())
    if any(file["authors"] for file in added):
        # A file just added names someone: the page says so under "Files added", and the
        # reporter may remove it before going on.
        return _show(request, draft, step)
    return _show(request, draft, _next(draft, step))


def _form(request, draft, step, *, bound: bool):
    extra = {"journey": draft.journey, "user": request.user}
    if step.name == "files":
        extra["room"] = max(services.MAX_FILES - len(draft.files), 0)
    if bound:
        return step.form(request.POST, request.FILES, **extra)
    initial = step.form.initial_from(draft.values, request.user)
    return step.form(initial=initial, **extra)


def _applicable(draft) -> list:
    return [s for s in f.JOURNEYS[draft.journey] if s.applies(draft.values)]


def _next(draft, step):
    """The first question after `step` not yet answered, else check your answers."""
    steps = _applicable(draft)
    after = steps[steps.index(step) + 1 :] if step in steps else steps
    return next((s for s in after if s.name not in draft.answered and s is not f.CHECK), f.CHECK)


def _previous(draft, step):
    steps = _applicable(draft)
    if step not in steps or steps.index(step) == 0:
        return None
    return steps[steps.index(step) - 1]


def _show(request, draft, step, form=None):
    """The page for `step`, carrying the draft sealed afresh."""
    token = draft.token()
    if form is None:
        form = _form(request, draft, step, bound=False)
        form.initial["draft"] = token
    else:
        form.data = form.data.copy()
        form.data["draft"] = token
    previous = _previous(draft, step)
    start_page = "whistleblowing:start" if draft.journey == f.REPORT else "whistleblowing:log_start"
    context = {
        "form": form,
        "step": step,
        "journey": draft.journey,
        "behalf": draft.journey == f.BEHALF,
        "form_action": step_url(draft.journey, step.name),
        "form_id": FORM_ID,
        "back": step_url(draft.journey, previous.name) if previous else None,
        "start": reverse(start_page),
        "draft_files": draft.files,
        "max_file": evidence.max_file_text(),
        "max_files": services.MAX_FILES,
    }
    if step is f.CHECK:
        context["rows"] = _answer_rows(draft)
        return render(request, "whistleblowing/report/check.html", context)
    return render(request, "whistleblowing/report/question.html", context)


def _remove_file(request, draft, step):
    try:
        index = int(request.POST.get("remove", ""))
    except ValueError:
        index = -1
    if not 0 <= index < len(draft.files):
        return _show(request, draft, step)
    record = draft.files[index]
    drafts.forget_file(record.get("ref", ""))
    draft.files = draft.files[:index] + draft.files[index + 1 :]
    return _show(request, draft, step)


def _reporter_refusal(logger, email: str) -> str:
    account = account_with_email(email)
    if account is None or not account.is_active:
        return NO_SUCH_ACCOUNT
    if not reporter_access.may_log_for(logger, account):
        return OWN_ACCOUNT
    return ""


# --- Check your answers, and send -----------------------------------------------------------


def _answer_rows(draft) -> list[dict]:
    """The rows of check your answers: (question, answer, where to change it)."""
    v = draft.values
    behalf = draft.journey == f.BEHALF
    labels = {
        "about": dict(f.AboutForm(journey=draft.journey).fields["about"].choices),
        "ground": dict(Ground.choices),
        "raised_before": dict(
            f.RaisedBeforeForm(journey=draft.journey).fields["raised_before"].choices
        ),
        "reporter_kind": dict(services.ReporterKind.CHOICES),
        "channel": dict(Channel.choices),
    }

    def shown(name):
        value = v.get(name)
        if name in ("about", "ground", "reporter_kind", "channel"):
            return [str(labels[name].get(value, ""))] if value else []
        if name == "raised_before":
            if name not in v:
                return []
            chosen = [str(labels[name].get(c, "")) for c in value] or [
                "They have not told anyone" if behalf else "No, I have not told anyone"
            ]
            details = v.get("raised_before_details")
            return [", ".join(chosen), *([details] if details else [])]
        if name == "public_interest":
            return ["Yes"] if value else []
        if name == "anonymous":
            if value is None:
                return []
            if behalf:
                return ["No, they want to stay anonymous" if value else "Yes"]
            return ["No, stay anonymous" if value else "Yes, give my name"]
        if name == "contact":
            return [v.get("name", ""), v.get("contact", "")] if "name" in v else []
        if name == "reporter":
            return [v.get("reporter_email", "")] if v.get("reporter_email") else []
        if name == "files":
            return [file["name"] for file in draft.files] or (
                ["No files"] if name in draft.answered else []
            )
        return [value] if value else (["Not given"] if name in draft.answered else [])

    rows = []
    for step in _applicable(draft):
        if step is f.CHECK:
            continue
        rows.append(
            {
                "step": step.name,
                "question": ROW_QUESTIONS.get((draft.journey, step.name), step.title),
                "answer": shown(step.name),
                "change": step_url(draft.journey, step.name),
            }
        )
    return rows


ROW_QUESTIONS = {
    (f.REPORT, "raised_before"): "Who you have told",
    (f.BEHALF, "raised_before"): "Who they have told",
    (f.REPORT, "public_interest"): "In the public interest",
    (f.BEHALF, "public_interest"): "In the public interest",
    (f.REPORT, "anonymous"): "Give your name",
    (f.BEHALF, "anonymous"): "Give their name",
    (f.REPORT, "reporter_kind"): "How you work for the council",
    (f.BEHALF, "reporter_kind"): "How they work for the council",
    (f.BEHALF, "about"): "What the concern is about",
    (f.REPORT, "about"): "What your concern is about",
    (f.BEHALF, "files"): "Files",
    (f.REPORT, "files"): "Files",
    (f.REPORT, "contact"): "Your name and contact details",
}


def _refuse_on_check(form, message: str, step: str | None) -> None:
    form.add_error(None, message)
    if step:
        link_error(form, message, f"change-{step}")


def _send(request, draft):
    form = f.CheckForm(request.POST, journey=draft.journey, user=request.user)
    valid = form.is_valid()
    behalf = draft.journey == f.BEHALF
    if draft.values.get("about") != f.ABOUT_WRONGDOING:
        _refuse_on_check(form, NOT_SCREENED, "about")
    reporter, overrides = None, {}
    named = draft.values.get("anonymous") is False
    if behalf and named:
        reporter = account_with_email(draft.values.get("reporter_email", ""))
        refusal = _reporter_refusal(request.user, draft.values.get("reporter_email", ""))
        if refusal:
            _refuse_on_check(form, refusal, "reporter")
        else:
            overrides = {"name": reporter.full_name or reporter.email, "contact": reporter.email}
    elif named and is_signed_in(request.user):
        reporter = request.user
    files, missing = drafts.evidence_of(draft)
    for name in missing:
        _refuse_on_check(form, GONE_FILE.format(name=name), "files")
    if not valid or form.errors:
        return _show(request, draft, f.CHECK, form)
    if not drafts.sent_once(draft.nonce):
        return render(request, "whistleblowing/report/already_sent.html", {"behalf": behalf})
    try:
        raised = services.raise_concern(
            answers=draft.answers(under_policy=True, **overrides),
            files=files,
            reporter=reporter,
            logged_by=request.user if behalf else None,
            channel=draft.values.get("channel", "") if behalf else Channel.ONLINE,
        )
    except ValidationError as error:
        drafts.send_again(draft.nonce)
        _put_on_check(form, error, draft)
        return _show(request, draft, f.CHECK, form)
    drafts.forget_files(draft.files)
    return _confirmation(request, raised, behalf=behalf, reporter=reporter)


def _put_on_check(form, error: ValidationError, draft) -> None:
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            _refuse_on_check(form, message, None)
        return
    applicable = {s.name for s in _applicable(draft)}
    for field, errors in error.error_dict.items():
        if field == "under_policy":
            form.add_error("under_policy", errors)
            continue
        step = FIELD_STEPS.get(field)
        if draft.journey == f.BEHALF and step == "contact":
            step = "reporter"
        for problem in errors:
            for message in problem.messages:
                _refuse_on_check(form, message, step if step in applicable else None)


def _confirmation(request, raised, *, behalf: bool, reporter, detriment=False):
    concern = raised.concern
    return render(
        request,
        "whistleblowing/report/confirmation.html",
        {
            "concern": concern,
            "code": receipts.shown(raised.receipt_code) if raised.receipt_code else "",
            "behalf": behalf,
            "reporter": reporter,
            "detriment": detriment,
            "signed_in_reporter": reporter is not None and reporter == request.user,
        },
    )


# --- Following a case ---------------------------------------------------------------------------


def _grant(request, concern, *, by_account: bool) -> None:
    """Let this browser's session follow `concern` for a while: a fresh session key, so a
    session known before the code was entered does not carry the case."""
    request.session.cycle_key()
    request.session[GRANT] = _grant_value(request, concern.pk, by_account)


def _grant_value(request, case_id: int, by_account: bool) -> dict:
    user = request.user
    return grant_for(case_id, user=user if is_signed_in(user) else None, by_account=by_account)


def grant_for(case_id: int, *, user=None, by_account: bool = False) -> dict:
    """What a session holds (under GRANT) to follow a case: which case, how it was opened, by
    whom if signed in, and until when."""
    return {
        "case": case_id,
        "by_account": by_account,
        "user": user.pk if user is not None else None,
        "until": int(time.time()) + reporter_access.GRANT_MINUTES * 60,
    }


def _followed(request):
    """The case this session may follow now (its grant then runs from now), or None."""
    grant = request.session.get(GRANT)
    if not isinstance(grant, dict):
        return None
    user = request.user
    concern = None
    if grant.get("until", 0) >= time.time() and grant.get("user") == (
        user.pk if is_signed_in(user) else None
    ):
        concern = queries.reporter_case(grant.get("case"))
    if not reporter_access.may_follow(user, concern, by_account=bool(grant.get("by_account"))):
        return None  # _case_ended forgets the grant
    if grant["until"] - time.time() < reporter_access.GRANT_MINUTES * 60 - 60:
        request.session[GRANT] = _grant_value(request, concern.pk, grant["by_account"])
    return concern


def _case_ended(request):
    if GRANT in request.session or request.method == "POST":
        messages.info(request, CASE_ENDED)
    request.session.pop(GRANT, None)
    return redirect("whistleblowing:follow")


def client_address(request) -> str:
    """The address of the person's browser: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT
    reverse proxies the entry of X-Forwarded-For the first of them added (the entries before
    it are whatever the browser sent, and could be anything)."""
    proxies = settings.AXES_IPWARE_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if proxies and len(forwarded) >= proxies and forwarded[-proxies]:
        return forwarded[-proxies][:64]
    return request.META.get("REMOTE_ADDR", "")


@never_cache
@get_or_post
def follow(request):
    form = f.FollowForm(posted(request))
    if request.method == "POST" and form.is_valid():
        # The address is used here and forgotten: the throttle keeps a keyed hash of it.
        if not receipts.attempt_allowed(client_address(request)):
            form.add_error("code", f.TOO_MANY_CODES)
        else:
            concern = services.concern_for_code(form.cleaned_data["code"])
            if reporter_access.may_follow(request.user, concern, by_account=False):
                _grant(request, concern, by_account=False)
                return redirect("whistleblowing:case")
            # The officer who logged it knows the code is right: not "does not match".
            user = request.user
            logged_it = (
                concern is not None and is_signed_in(user) and concern.logged_by_id == user.pk
            )
            form.add_error("code", f.LOGGED_IT if logged_it else f.WRONG_CODE)
    return render(request, "whistleblowing/report/follow.html", {"form": form})


@never_cache
@require_safe
def case(request):
    concern = _followed(request)
    if concern is None:
        return _case_ended(request)
    return _case_page(request, concern)


def _case_page(request, concern, *, reply_form=None, comment_form=None):
    page = queries.reporter_case_page(concern)
    meetings = []
    for item in page.meetings:
        refused = comment_form is not None and comment_form.data.get("meeting") == str(
            item.entry.pk
        )
        meetings.append(
            {
                "item": item,
                "on": _date_or_none(item.content.get("on")),
                "at": _time_or_none(item.content.get("at")),
                "form": comment_form
                if refused
                else f.CommentForm(initial={"meeting": item.entry.pk}, meeting_id=item.entry.pk),
            }
        )
    refused = next(
        (form for form in (reply_form, comment_form) if form is not None and form.errors), None
    )
    return render(
        request,
        "whistleblowing/report/case.html",
        {
            "case": page,
            "concern": concern,
            "messages_shown": [i for i in page.items if i.entry.kind != EntryKind.MEETING],
            "meetings": meetings,
            "reply_form": reply_form or f.ReplyForm(),
            "form": refused,
            "statuses": Status,
            "kinds": EntryKind,
            "told": _told(page.report),
            "open_to_reply": not concern.content_erased_at,
            "by_account": bool(request.session.get(GRANT, {}).get("by_account")),
        },
    )


def _date_or_none(text):
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _time_or_none(text):
    try:
        return dt.time.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _told(report) -> list[tuple[str, str]]:
    """What the reporter answered when raising the case, as they see it again."""
    if report is None or not report.content:
        return []
    answers = report.content
    told_before = dict(services.RAISED_BEFORE)
    rows = [
        ("What it is about", dict(Ground.choices).get(answers.get("ground"), "")),
        ("What happened", answers.get("what_happened", "")),
        ("When", answers.get("when", "")),
        ("Where", answers.get("where", "")),
        ("Who was involved", answers.get("who", "")),
        ("Evidence", answers.get("evidence", "")),
        (
            "Who you had told",
            ", ".join(told_before.get(r, "") for r in answers.get("raised_before", [])),
        ),
        ("Files", ", ".join(about.get("name", "") for _attachment, about in report.files)),
    ]
    return [(question, answer) for question, answer in rows if answer]


@never_cache
@require_POST
def case_reply(request):
    concern = _followed(request)
    if concern is None:
        return _case_ended(request)
    form = f.ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_information(
                concern=concern,
                text=form.cleaned_data["text"],
                files=[checked.evidence() for checked in form.cleaned_data["files"]],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, SENT)
            return redirect("whistleblowing:case")
    return _case_page(request, concern, reply_form=form)


@never_cache
@require_POST
def case_comment(request):
    concern = _followed(request)
    if concern is None:
        return _case_ended(request)
    meeting_id = request.POST.get("meeting", "")
    form = f.CommentForm(request.POST, meeting_id=meeting_id if meeting_id.isdigit() else None)
    if form.is_valid():
        meeting = queries.reporter_meeting(concern, form.cleaned_data["meeting"])
        try:
            if meeting is None:
                raise ValidationError(services.NOT_A_MEETING, code="not_a_meeting")
            services.comment_on_meeting(
                concern=concern, meeting=meeting, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, COMMENT_SENT)
            return redirect("whistleblowing:case")
    return _case_page(request, concern, comment_form=form)


@never_cache
@get_or_post
def case_detriment(request):
    """A complaint of detriment or victimisation for having raised the concern (policy 23,
    25): a concern of its own, linked to this one, named or anonymous as this one is."""
    concern = _followed(request)
    if concern is None:
        return _case_ended(request)
    form = f.DetrimentForm(posted(request))
    if request.method == "POST" and form.is_valid():
        by_account = bool(request.session[GRANT].get("by_account"))
        report = queries.reporter_report(concern)
        try:
            raised = services.raise_concern(
                answers=services.Answers(
                    # Detriment for a protected disclosure is unlawful (Employment Rights
                    # Act 1996, section 47B): a breach of a legal obligation, for the
                    # Monitoring Officer.
                    ground=Ground.LEGAL_OBLIGATION,
                    what_happened=form.cleaned_data["what_happened"],
                    when=form.cleaned_data["when"],
                    who=form.cleaned_data["who"],
                    public_interest=True,
                    reporter_kind=report.get("reporter_kind", ""),
                    anonymous=concern.anonymous,
                    name=report.get("name", ""),
                    contact=report.get("contact", ""),
                    under_policy=True,
                ),
                reporter=request.user if by_account else None,
                detriment_of=concern,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _confirmation(
                request,
                raised,
                behalf=False,
                reporter=request.user if by_account else None,
                detriment=True,
            )
    return render(
        request, "whistleblowing/report/detriment.html", {"form": form, "concern": concern}
    )


@never_cache
@require_POST
def case_sign_out(request):
    request.session.pop(GRANT, None)
    messages.info(request, SIGNED_OUT_OF_CASE)
    return redirect("whistleblowing:start")


# --- A named reporter, signed in ------------------------------------------------------------


@never_cache
@require_safe
def my_concerns(request):
    if not is_signed_in(request.user):
        return redirect_to_login(request.get_full_path())
    return render(
        request,
        "whistleblowing/report/my_concerns.html",
        {"concerns": queries.reporter_concern_list(request.user), "statuses": Status},
    )


@never_cache
@require_safe
def my_concern(request, pk):
    if not is_signed_in(request.user):
        return redirect_to_login(request.get_full_path())
    concern = queries.reporter_concern_for_account(pk, request.user)
    if not reporter_access.may_follow(request.user, concern, by_account=True):
        raise Http404
    _grant(request, concern, by_account=True)
    return redirect("whistleblowing:case")
