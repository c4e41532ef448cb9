"""Sign-in, CSRF and safe methods under attack.

- Sign-in is throttled (django-axes) after repeated failures, for real and made-up accounts
  alike, and the answer never says whether an account exists.
- Every URL that could change something refuses a POST without a CSRF token (sign-out
  included) and changes nothing.
- No GET changes anything, for any visitor, on any page of the URL walk.
- Hostile values in URL parameters (ids out of range, impossible calendar months) and in
  `next` never produce a server error or an open redirect.
"""

import os
import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from organisation.roles import Role
from tests.factories import PASSWORD, UserFactory
from tests.permissions import ANON, EVERYONE
from tests.security import payloads
from tests.security.pages import FORM_PAGES, form_on, page_url
from tests.security.support import (
    ADMIN_NAMES,
    EXPECTED,
    URL_NAMES,
    changed_tables,
    client_as,
    rolled_back,
    row_counts,
)
from tests.security.world import build_world

pytestmark = pytest.mark.django_db

EMAIL = "clerk@council.example"
NOBODY = "nobody@council.example"


WRONG_PASSWORD = "not-the-password"


def sign_in_post(client, username, password=WRONG_PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def normalised(response, *emails) -> str:
    """The page without what differs between any two responses: the CSRF token, the CSP
    nonce, and the e-mail address typed back into the box."""
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    body = re.sub(r'nonce="[^"]+"', "", body)
    for email in emails:
        body = body.replace(email, "EMAIL")
    return body


# --- Sign-in ---------------------------------------------------------------------------------


def test_sign_in_is_throttled_after_repeated_failures_even_with_the_right_password(client):
    UserFactory(email=EMAIL)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in_post(client, EMAIL).status_code == 200
    locked = sign_in_post(client, EMAIL)
    assert locked.status_code == 429
    assert "Too many attempts to sign in" in locked.content.decode()

    right = sign_in_post(client, EMAIL, PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("account")).status_code == 302  # still signed out


def test_made_up_accounts_are_throttled_the_same_way(client):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in_post(client, NOBODY).status_code == 200
    assert sign_in_post(client, NOBODY).status_code == 429


def test_a_wrong_password_and_an_unknown_account_get_the_same_answer():
    UserFactory(email=EMAIL)
    UserFactory(email="left@council.example", is_active=False)
    known = sign_in_post(Client(), EMAIL)
    unknown = sign_in_post(Client(), NOBODY)
    inactive = sign_in_post(Client(), "left@council.example", PASSWORD)
    assert known.status_code == unknown.status_code == inactive.status_code == 200
    page = normalised(known, EMAIL)
    assert "Enter a correct email address and password" in page
    assert normalised(unknown, NOBODY) == page
    assert normalised(inactive, "left@council.example") == page
    assert set(known.cookies) == set(unknown.cookies)


def test_locked_out_answers_are_the_same_for_known_and_unknown_accounts():
    UserFactory(email=EMAIL)
    answers = {}
    for email in (EMAIL, NOBODY):
        client = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT):
            response = sign_in_post(client, email)
        answers[email] = (response.status_code, normalised(response, email))
    assert answers[EMAIL] == answers[NOBODY]
    assert answers[EMAIL][0] == 429


def test_a_password_reset_answers_the_same_whether_or_not_the_account_exists():
    UserFactory(email=EMAIL)
    known = Client().post(reverse("password_reset"), {"email": EMAIL})
    unknown = Client().post(reverse("password_reset"), {"email": NOBODY})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
    assert [m.to for m in mail.outbox] == [[EMAIL]]


def test_a_failed_sign_in_with_hostile_headers_is_recorded_without_error(client):
    """django-axes records the user agent, Accept header and address of every failure."""
    for _ in range(2):
        response = sign_in_post(
            client,
            EMAIL,
            HTTP_USER_AGENT=payloads.HUGE,
            HTTP_ACCEPT="text/html," * 2000,
            HTTP_X_FORWARDED_FOR="<script>, ::ffff:999.1.1.1, " + "1" * 300,
            REMOTE_ADDR="127.0.0.1",
        )
        assert response.status_code == 200


@pytest.mark.parametrize(
    "next_url",
    [
        "//evil.example/",
        "https://evil.example/",
        "javascript:alert(1)",
        "/\\evil.example",
        "\\\\evil.example",
        "https:evil.example",
        "/%0d%0aSet-Cookie:x=1",
    ],
)
def test_signing_in_never_redirects_off_the_portal(next_url):
    UserFactory(email=EMAIL)
    client = Client()
    response = client.post(
        f"{reverse('login')}?next={next_url}",
        {"username": EMAIL, "password": PASSWORD, "next": next_url},
    )
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert "\r" not in location and "\n" not in location


# --- CSRF ------------------------------------------------------------------------------------

#: Read-only OParl endpoints are CSRF-exempt and cookie-free: they refuse POST outright.
READ_ONLY = {name for name in URL_NAMES if name.startswith("oparl:")}
#: Allowed by the unguessable token in their address instead of a CSRF token: RFC 8058's
#: one-click unsubscribe, which mail clients post without cookies. Here the token is forged,
#: and nothing may change (tests/committees/test_alerts.py: a real one unsubscribes).
TOKEN_AUTHORISED = {"committees:alerts_unsubscribe"}


def _forged(url: str) -> str:
    """The link with its token's signature replaced (alert_tokens: "<id>-<64 hex>")."""
    return re.sub(r"-[0-9a-f]{64}/$", "-" + "0" * 64 + "/", url)


def _visitor_for_post(name):
    """Someone the view would let through (so only the CSRF check can stop them)."""
    _builder, row = EXPECTED[name]
    for who in [ANON, Role.GOVERNANCE_SERVICES, Role.OFFICER, *EVERYONE[1:]]:
        if row.get(who) in (200, 302, 405):
            return who
    return ANON


def test_every_url_refuses_a_post_without_a_csrf_token_and_changes_nothing():
    world = build_world()
    # What each form would post (it would be accepted with its token), by whom.
    posts = {}
    clients = {}
    for action, page in FORM_PAGES.items():
        client, form = form_on(page, action, world, clients=clients, enforce_csrf_checks=True)
        posted = payloads.plausible_data(form)
        if action in TOKEN_AUTHORISED:
            assert "csrfmiddlewaretoken" not in posted, action
        else:
            posted.pop("csrfmiddlewaretoken")
        posts[action] = (client, form.action, posted)

    for name in URL_NAMES + ADMIN_NAMES:
        if name in posts:
            client, url, posted = posts[name]
        else:
            who = _visitor_for_post(name)
            if who not in clients:
                clients[who] = client_as(who, enforce_csrf_checks=True)
            client, url, posted = clients[who], page_url(name, world), {}
        # A browser tricked into posting carries the portal's cookies (the CSRF cookie
        # included), not the token written into the portal's own pages.
        if settings.CSRF_COOKIE_NAME not in client.cookies:
            client.get(reverse("login"))
        assert settings.CSRF_COOKIE_NAME in client.cookies
        if name in TOKEN_AUTHORISED:
            url = _forged(url)
        with rolled_back():
            before = row_counts()
            response = client.post(url, {k: v for k, v in posted.items() if k != "file"})
            after = row_counts()
        if name in READ_ONLY:
            assert response.status_code == 405, f"{name}: {response.status_code}"
        elif name in TOKEN_AUTHORISED:
            assert response.status_code == 404, f"{name}: {response.status_code}"
            assert "Nothing has been changed" in response.content.decode(), name
        else:
            assert response.status_code == 403, f"{name}: {response.status_code}"
            assert "Nothing has been changed" in response.content.decode(), name
        assert not changed_tables(before, after), name


def test_signing_out_needs_the_csrf_token():
    client = client_as(Role.OFFICER, enforce_csrf_checks=True)
    page = client.get(reverse("account"))
    assert page.status_code == 200
    refused = client.post(reverse("logout"))
    assert refused.status_code == 403
    assert client.get(reverse("account")).status_code == 200  # still signed in
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    assert client.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code == 302
    assert client.get(reverse("account")).status_code == 302


def test_a_token_from_another_session_is_refused():
    victim = client_as(Role.GOVERNANCE_SERVICES, enforce_csrf_checks=True)
    attacker = Client(enforce_csrf_checks=True)
    page = attacker.get(reverse("login")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    victim.get(reverse("home"))
    before = row_counts()
    response = victim.post(reverse("manage:report_create"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 403
    assert not changed_tables(before, row_counts())


# --- GET changes nothing ---------------------------------------------------------------------


def _kinds_of_visitor():
    """Anonymous, and one role for each row pattern of the permission matrix: roles the
    matrix cannot tell apart reach the same views with the same rights, so one of them
    stands for the rest (SECURITY_EVERY_ROLE=1 sweeps every role, at twice the time)."""
    if os.environ.get("SECURITY_EVERY_ROLE"):
        return list(EVERYONE)
    kinds = {}
    for who in EVERYONE:
        kinds.setdefault(tuple(EXPECTED[name][1][who] for name in URL_NAMES), who)
    return list(kinds.values())


#: Pages whose every opening is itself recorded, by design (whistleblowing's log of who
#: opened a case, a file of it, the register's export or the annual report, which unseals the
#: lessons learned): a GET of one adds a row to that log and to nothing else.
LOGGED_OPENINGS = {
    "concerns:case": "whistleblowing_caseopening",
    "concerns:file": "whistleblowing_caseopening",
    "concerns:export": "whistleblowing_caseopening",
    "concerns:annual_report": "whistleblowing_caseopening",
    "concerns:annual_report_pdf": "whistleblowing_caseopening",
}


def _without_logged_openings(changed: dict, names) -> dict:
    logs = {LOGGED_OPENINGS[name] for name in names if name in LOGGED_OPENINGS}
    return {table: counts for table, counts in changed.items() if table not in logs}


def test_no_get_changes_anything_for_any_kind_of_visitor():
    """Every URL of the walk, opened by each kind of visitor: no table or history table
    gains or loses a row (but the log of openings, for the pages whose opening is logged).
    A visitor the matrix says is refused (sign in, 403, 404, 405) is stopped before the view
    runs, the same way for everyone: each refusal is tried once."""
    world = build_world()
    urls = {name: page_url(name, world) for name in URL_NAMES + ADMIN_NAMES}
    visitors = _kinds_of_visitor()
    assert ANON in visitors and Role.GOVERNANCE_SERVICES in visitors and len(visitors) >= 6
    refusals_tried = set()
    for who in visitors:
        client = client_as(who)
        mine = {}
        for name, url in urls.items():
            outcome = EXPECTED[name][1][who]
            if outcome in (200, 302) or (name, outcome) not in refusals_tried:
                refusals_tried.add((name, outcome))
                mine[name] = url
        before = row_counts()
        for name, url in mine.items():
            response = client.get(url)
            assert response.status_code < 500, f"{name} as {who}"
        changed = _without_logged_openings(changed_tables(before, row_counts()), mine)
        if changed:  # find the culprit, for the message
            for name, url in mine.items():
                step = row_counts()
                client.get(url)
                step_changed = _without_logged_openings(changed_tables(step, row_counts()), [name])
                assert not step_changed, f"GET {name} as {who}"
        assert not changed, f"GETs as {who} changed {changed}"


# --- Hostile URL parameters -------------------------------------------------------------------

HOSTILE_INTS = [2**31, 2**63]  # past a 32-bit and a 64-bit column


def test_ids_out_of_range_are_a_404_never_a_server_error():
    build_world()
    clients = {}
    for name in URL_NAMES:
        builder = EXPECTED[name][0]
        if builder is None:
            continue
        who = _visitor_for_post(name)
        client = clients.get(who) or clients.setdefault(who, client_as(who))
        kwargs = builder()
        for key, value in kwargs.items():
            if not isinstance(value, int):
                continue
            for hostile in HOSTILE_INTS:
                url = reverse(name, kwargs={**kwargs, key: hostile})
                response = client.get(url)
                assert response.status_code < 500, url


@pytest.mark.parametrize(
    ("year", "month"),
    [(0, 1), (1, 1), (9999, 12), (10000, 1), (2017, 0), (2017, 13), (10**20, 1)],
)
def test_impossible_calendar_months_are_not_a_server_error(client, year, month):
    response = client.get(reverse("committees:calendar", kwargs={"year": year, "month": month}))
    assert response.status_code in (200, 404)


@pytest.mark.parametrize("page", ["committees:meetings", "manage:meetings", "manage:reports"])
def test_hostile_page_numbers_are_not_a_server_error(page):
    client = client_as(Role.GOVERNANCE_SERVICES)
    for value in ["0", "-1", "abc", "9" * 5000, "1e309", "\x00", "<script>alert(1)</script>"]:
        response = client.get(reverse(page), {"page": value})
        assert response.status_code in (200, 404), value


# --- The OParl API's list parameters ----------------------------------------------------------


def _body_meetings_url():
    from tests.committees.factories import MeetingFactory
    from tests.factories import CouncilFactory

    MeetingFactory(published=True)
    return reverse("oparl:body_meetings", args=[CouncilFactory().pk])


@pytest.mark.parametrize("name", ["created_since", "modified_until", "page", "limit"])
def test_hostile_oparl_list_parameters_are_a_400_never_a_server_error(client, name):
    url = _body_meetings_url()
    for value in [
        "",
        "\x00",
        "-1",
        "0",
        "9" * 30,
        "2017-02-31",
        "2017-04-13T25:00:00",
        "0001-01-01",
        "9999-12-31T23:59:59",
        "<script>alert(1)</script>",
        payloads.HUGE[:4000],
    ]:
        response = client.get(url, {name: value})
        assert response.status_code in (200, 400, 404), (name, value[:40])
        assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_an_oparl_filter_moment_outside_the_calendar_is_a_400(client, moment):
    response = client.get(_body_meetings_url(), {"created_since": moment})
    assert response.status_code == 400


@pytest.mark.parametrize("name", ["page", "limit"])
def test_an_oparl_page_number_of_5000_digits_is_a_400(client, name):
    response = client.get(_body_meetings_url(), {name: "9" * 5000})
    assert response.status_code == 400
