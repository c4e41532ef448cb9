"""The form pages of the portal: which page shows each POST form, who opens it, and the
URL of every page of the walk with data behind it (tests.security.world)."""

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from organisation.roles import Role
from tests.security.support import (
    EXPECTED,
    REPORTER,
    client_as,
    parse_forms,
    reverse_name,
    url_name_of,
    visitor_for,
)
from whistleblowing.forms.report import BEHALF_STEPS, REPORT_STEPS

#: Every POST form, by the URL name it posts to -> the page that shows it.
FORM_PAGES = {
    "login": "login",
    "logout": "account",  # the "Sign out" button in the header of every signed-in page
    "password_change": "password_change",
    "password_reset": "password_reset",
    "password_reset_confirm": "password_reset_confirm",
    "two_factor_setup": "two_factor_setup",
    "two_factor_verify": "two_factor_verify",
    "manage:meeting_create": "manage:meeting_create",
    "manage:meeting_reschedule": "manage:meeting_reschedule",
    "manage:meeting_cancel": "manage:meeting_cancel",
    "manage:meeting_publish": "manage:meeting_publish",
    "manage:pack_rebuild": "manage:pack_status",
    "manage:item_add": "manage:item_add",
    "manage:sub_item_add": "manage:sub_item_add",
    "manage:item_edit": "manage:item_edit",
    "manage:item_move": "manage:meeting",  # the up and down buttons of each item
    "manage:item_remove": "manage:item_remove",
    "manage:item_attach_report": "manage:item_attach_report",
    "manage:item_minute": "manage:item_minute",
    "manage:attendance": "manage:attendance",
    "manage:declaration_add": "manage:declaration_add",
    "manage:minutes_publish": "manage:minutes_publish",
    "manage:minutes_approve": "manage:minutes_approve",
    "manage:minutes_correct": "manage:minutes_correct",
    "manage:issue_close": "manage:issue_close",
    "manage:report_create": "manage:report_create",
    "manage:report_edit": "manage:report_edit",
    "manage:report_upload": "manage:report_upload",
    "manage:report_sign_off": "manage:report_sign_off",
    "manage:sign_off_edit": "manage:sign_off_edit",
    "manage:sign_off_withdraw": "manage:sign_off_withdraw",
    "manage:document_replace": "manage:document_replace",
    "manage:document_withdraw": "manage:document_withdraw",
    "manage:decision_create": "manage:decision_create",
    "manage:forward_plan_create": "manage:forward_plan_create",
    # E-mail alerts: the public's subscribe form, and the buttons of the links' pages.
    "committees:alerts_subscribe": "committees:alerts_subscribe",
    "committees:alerts_confirm": "committees:alerts_confirm",
    "committees:alerts_unsubscribe": "committees:alerts_unsubscribe",
    # Raising a whistleblowing concern: each question is a page of its own, for a reporter
    # (raise_) and for an officer logging one raised with them (log_); then following it up.
    **{
        f"whistleblowing:{journey}_{step.name}": f"whistleblowing:{journey}_{step.name}"
        for journey, steps in (("raise", REPORT_STEPS), ("log", BEHALF_STEPS))
        for step in steps
    },
    "whistleblowing:follow": "whistleblowing:follow",
    "whistleblowing:case_reply": "whistleblowing:case",
    "whistleblowing:case_comment": "whistleblowing:case",
    "whistleblowing:case_sign_out": "whistleblowing:case",
    "whistleblowing:case_detriment": "whistleblowing:case_detriment",
    # The whistleblowing handlers' actions on a case, each on a page of its own.
    **{
        f"concerns:{name}": f"concerns:{name}"
        for name in (
            "acknowledge",
            "appoint",
            "reroute",
            "triage",
            "meeting",
            "note",
            "message",
            "close",
            "reopen",
        )
    },
    # The Monitoring Officer's annual report: the meeting whose agenda takes it.
    "concerns:annual_report_place": "concerns:annual_report_place",
}
#: The GET forms (nothing changes; their values go in the query string). The home page's
#: search box sends its words to the search page; the whistleblowing register has its filter,
#: and the annual report its choice of year.
GET_FORM_PAGES = {
    "committees:search",
    "committees:decisions",
    "home",
    "concerns:register",
    "concerns:annual_report",
}

#: Where the visitor the matrix would pick cannot see the whole form.
VISITORS = {
    # Someone with an authenticator app: the set-up page then asks for its code to replace
    # it; with a set-up link opened and started (open_page), it asks for the new app's code.
    "two_factor_setup": Role.SIRO,
    # Signed in: the header's sign-out form is on every page.
    "account": Role.OFFICER,
    # A reporter following their case: its page and forms are theirs alone.
    "whistleblowing:case": REPORTER,
    "whistleblowing:case_detriment": REPORTER,
}


def page_url(page: str, world) -> str:
    if page == "password_reset_confirm":
        user = world.contact
        return reverse(
            page,
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    kwargs = world.kwargs().get(page)
    if kwargs is not None:
        return reverse(page, kwargs=kwargs)
    return reverse_name(page, EXPECTED[page][0])


def open_page(page: str, world, *, clients: dict | None = None, **client_kwargs):
    """(client, final page URL, forms) for the page, opened by someone allowed to. Pass a
    dict as `clients` to reuse one client per visitor across calls."""
    who = VISITORS.get(page) or visitor_for(page)
    clients = {} if clients is None else clients
    if who not in clients:
        clients[who] = client_as(who, **client_kwargs)
    client = clients[who]
    if page == "two_factor_setup":
        # Set-up needs a set-up link: open one, then start, so the code form shows.
        from organisation.models import User
        from tests.factories import issue_set_up_link

        user = User.objects.get(pk=client.session.get("_auth_user_id"))
        client.get(issue_set_up_link(user))
        client.post(reverse("two_factor_setup"), {"start": "1"})
    response = client.get(page_url(page, world), follow=True)
    assert response.status_code == 200, f"{page} as {who}: {response.status_code}"
    url = (
        response.redirect_chain[-1][0] if response.redirect_chain else response.request["PATH_INFO"]
    )
    return client, url, parse_forms(response.content.decode(), url)


def form_on(page: str, action: str, world, **kwargs):
    """(client, form) for the POST form to `action` on `page`."""
    client, _url, forms = open_page(page, world, **kwargs)
    for form in forms:
        if form.method == "post" and url_name_of(form.action) == action:
            return client, form
    raise AssertionError(f"no form posting to {action} on {page}")
