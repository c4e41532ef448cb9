"""Every form the portal has, fuzzed: hostile values (empty, huge, unicode edge cases, NUL
bytes, markup, SQL, wrong types, impossible and out-of-range dates, lists for scalars) are
posted to each, as someone allowed to use it. None may produce a server error, and a post
that is refused (anything but a redirect onward) changes no row of any table or history
table. A post that is accepted may change things; the page it leads to must still render.

The forms are found by opening every page of the URL walk and reading its
<form method="post"> fields; `FORM_PAGES` lists them, and a test fails when a page gains a
form that is not in it.

More examples: SECURITY_FUZZ_EXAMPLES=200 .venv/bin/python -m pytest tests/security -k fuzz
"""

import os
from http.cookies import SimpleCookie

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, assume, given, settings

from tests.factories import UserFactory
from tests.security import payloads
from tests.security.pages import FORM_PAGES, GET_FORM_PAGES, VISITORS, form_on, page_url
from tests.security.support import (
    URL_NAMES,
    changed_tables,
    client_as,
    parse_forms,
    rolled_back,
    row_counts,
    url_name_of,
    visitor_for,
)
from tests.security.test_requests import _without_logged_openings
from tests.security.world import build_world

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("SECURITY_FUZZ_EXAMPLES", "6"))


def _encode(data: dict) -> dict:
    out = {}
    for name, value in data.items():
        if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], bytes):
            value = payloads.as_upload(value)
        out[name] = value
    return out


#: Pages that list what the forms create, opened after a post with a date at the edge of the
#: calendar is accepted (a date that is stored must not break a page that shows it later).
LISTINGS = [
    "manage:meetings",
    "manage:decisions",
    "committees:meetings",
    "committees:decisions",
    "committees:forward_plan",
    "committees:meetings_ics",
]


def _has_edge_date(form, data) -> bool:
    return any(
        tuple(data.get(f"{group}_{n}") for n in range(3)) in payloads.EDGE_DATES
        for group in payloads.date_groups(form)
    )


def answered_in_page(form, response) -> bool:
    """Whether a 200 answer to a post is the post accepted, not refused: the next question of
    a journey whose answers travel in its pages (whistleblowing.drafts: the next page is the
    answer, as no redirect could carry them), which posts elsewhere and not back here; or a
    GOV.UK confirmation panel shown once (a receipt code, which no address may carry). A
    refused post shows its own form again."""
    body = response.content.decode()
    if "govuk-panel--confirmation" in body:
        return True
    posts = [f.action for f in parse_forms(body, form.action) if f.method == "post"]
    return form.action not in posts and any(action != "/sign-out/" for action in posts)


def post_and_check(client, form, data):
    """Post `data` to the form: no server error; refused posts change nothing; an accepted
    post's next page renders."""
    cookies = SimpleCookie(client.cookies)
    try:
        with rolled_back():
            before = row_counts()
            response = client.post(form.action, _encode(data))
            assert response.status_code < 500
            after = row_counts()
            if response.status_code in (301, 302, 303):
                location = response["Location"]
                assert not location.startswith("/sign-in/"), "the post lost the session"
                if location.startswith("/"):
                    assert client.get(location).status_code < 500, location
                if _has_edge_date(form, data):
                    for name in LISTINGS:
                        assert client.get(reverse(name)).status_code < 500, name
            elif response.status_code == 200 and answered_in_page(form, response):
                pass  # accepted, and its page rendered
            else:
                changed = changed_tables(before, after)
                assert not changed, f"refused with {response.status_code}, yet changed {changed}"
                if response.status_code == 200 and form.action != "/sign-out/":
                    assert "govuk-error-summary" in response.content.decode(), (
                        "a refused post re-renders the page with an error summary"
                    )
    finally:
        # A valid post may sign out or cycle the session; the rollback restored its row.
        client.cookies = cookies
    return response


# --- Every form is here ----------------------------------------------------------------------


def test_every_post_form_in_the_project_is_fuzzed():
    """Open every page of the URL walk as someone allowed to see it; every form found must be
    in FORM_PAGES (so a new form page cannot go unfuzzed), and every entry must still exist."""
    world = build_world()
    found = {}
    get_forms = set()
    clients = {}
    for name in URL_NAMES:
        who = VISITORS.get(name) or visitor_for(name)
        if who is None:
            continue
        client = clients.get(who) or clients.setdefault(who, client_as(who))
        response = client.get(page_url(name, world), follow=True)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        url = (
            response.redirect_chain[-1][0]
            if response.redirect_chain
            else response.request["PATH_INFO"]
        )
        for form in parse_forms(response.content.decode(), url):
            if form.method == "post":
                found.setdefault(url_name_of(form.action), name)
            else:
                get_forms.add(name)
    assert set(found) == set(FORM_PAGES), (
        f"forms not fuzzed: {sorted(set(found) - set(FORM_PAGES))}; "
        f"listed but gone: {sorted(set(FORM_PAGES) - set(found))}"
    )
    assert get_forms == GET_FORM_PAGES
    assert len(FORM_PAGES) >= 31


# --- The fuzzing ---------------------------------------------------------------------------

# The same value in every field of the form (choices, dates and hidden fields too): nothing,
# 100 000 characters, a NUL byte, and a list where one value is expected.
EVERYWHERE = ["", payloads.HUGE, "\x00", ["1", "<script>alert(1)</script>"]]


def _deterministic_posts(form):
    """Hostile posts every run makes, whatever hypothesis draws."""
    base = payloads.plausible_data(form)
    texts = [
        name
        for name, field in form.fields.items()
        if field.kind in ("text", "textarea", "email", "url", "password")
        and not name.endswith(("_0", "_1", "_2"))
        and not payloads.is_time(name)
    ]
    posts = [base]
    # The catalogue spread over the text boxes (each value in one box of a post).
    catalogue = payloads.CATALOGUE
    rounds = min(-(-len(catalogue) // max(len(texts), 1)), 2) if texts else 0
    for r in range(rounds):
        post = dict(base)
        for n, name in enumerate(texts):
            post[name] = catalogue[(r * len(texts) + n) % len(catalogue)]
        posts.append(post)
    for value in EVERYWHERE:
        post = {
            name: (
                field.value if field.kind == "submit" or name == "csrfmiddlewaretoken" else value
            )
            for name, field in form.fields.items()
        }
        posts.append(post)
    for group in payloads.date_groups(form):
        for triple in DETERMINISTIC_DATES:
            post = dict(base)
            post.update({f"{group}_{n}": part for n, part in enumerate(triple)})
            posts.append(post)
    for name in form.fields:
        if payloads.is_time(name):
            posts += [{**base, name: value} for value in ("25:00", "9" * 30, "\u0662pm")]
    return posts


DETERMINISTIC_DATES = [
    ("31", "2", "2017"),
    ("1", "1", "0000"),
    ("1", "1", "99999"),
    ("\u0661", "\u0662", "\u0662\u0660\u0661\u0667"),
    *payloads.EDGE_DATES,
]


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=not os.environ.get("SECURITY_FUZZ_EXAMPLES"),
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# --- Known bugs: each is pinned by a strict xfail test below, and the fuzzing steps round
# exactly the input that triggers it, so it keeps guarding everything else. Delete an entry
# when its bug is fixed.


def _overlong_username(form, data) -> bool:
    value = data.get("username")
    return isinstance(value, str) and len(value.strip()) > 254


def _meeting_at_the_calendar_edge(form, data) -> bool:
    year = data.get("date_2")
    if not isinstance(year, str) or not (year.strip().isascii() and year.strip().isdigit()):
        return False
    return int(year) <= 1 or int(year) >= 9998


SIGN_IN_OVERLONG = (
    "organisation/forms.py SignInForm: AuthenticationForm sets the username field's "
    "max_length after the field is built, so no MaxLengthValidator runs; an e-mail address "
    "over 255 characters reaches authenticate(), and django-axes' user_login_failed handler "
    "writes it to AccessAttempt.username (varchar 255): DataError, a 500 on the sign-in page"
)
MEETING_YEAR_ONE = (
    "committees/forms.py GovukDateField accepts any four-digit year, so a meeting on "
    "1 January 0001 is saved; committees/rules.py latest_lawful_publication then steps back "
    "past date.min (OverflowError) and the meeting's page (views_manage.meeting -> "
    "rules.last_publication_date) answers 500"
)
CALENDAR_FEED_YEAR_10000 = (
    "committees/feeds.py _calendar_response: add_missing_timezones(first_date="
    "dt.date(min(days).year - 1, 1, 1), last_date=dt.date(max(days).year + 2, 1, 1)) raises "
    "ValueError for a meeting in 9998 or 9999 (year 10000) or in 0001 (year 0), and "
    "GovukDateField lets such a meeting be saved: every iCal feed that includes it "
    "(meetings.ics, the committee's meetings.ics) answers 500 for everyone"
)
KNOWN_BUG_INPUTS = {
    "login": _overlong_username,
    "manage:meeting_create": _meeting_at_the_calendar_edge,
    "manage:meeting_reschedule": _meeting_at_the_calendar_edge,
}


@pytest.mark.parametrize("action", list(FORM_PAGES))
def test_fuzzed_form_never_errors_and_refused_posts_change_nothing(action):
    world = build_world()
    client, form = form_on(FORM_PAGES[action], action, world)
    known_bug = KNOWN_BUG_INPUTS.get(action, lambda form, data: False)
    for data in _deterministic_posts(form):
        if not known_bug(form, data):
            post_and_check(client, form, data)

    @FUZZ_SETTINGS
    @given(data=payloads.form_data(form))
    def fuzz(data):
        assume(not known_bug(form, data))
        post_and_check(client, form, data)

    fuzz()


def test_sign_in_with_an_overlong_email_address_is_refused_not_a_server_error(client):
    UserFactory(email="clerk@council.example")
    before = row_counts()
    response = client.post(
        reverse("login"), {"username": "a" * 300 + "@council.example", "password": "x"}
    )
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.content.decode()
    assert not changed_tables(before, row_counts())


def _meeting_on(day, month, year, action):
    """Post a meeting on that date through the form; its page's response, or the form's."""
    world = build_world()
    client, form = form_on(FORM_PAGES[action], action, world)
    data = {**payloads.plausible_data(form), "date_0": day, "date_1": month, "date_2": year}
    response = client.post(form.action, _encode(data))
    if response.status_code == 302:
        response = client.get(response["Location"])
    return client, world, response


@pytest.mark.parametrize("action", ["manage:meeting_create", "manage:meeting_reschedule"])
def test_meeting_on_1_january_0001_is_refused_or_its_page_renders(action):
    _client, _world, response = _meeting_on("1", "1", "0001", action)
    assert response.status_code == 200


def test_meeting_on_31_december_9999_leaves_the_calendar_feeds_working():
    client, world, response = _meeting_on("31", "12", "9999", "manage:meeting_reschedule")
    assert response.status_code == 200
    slug = world.organization.slug
    assert client.get(reverse("committees:meetings_ics")).status_code == 200
    assert client.get(reverse("committees:committee_ics", args=[slug])).status_code == 200


@pytest.mark.parametrize("page", sorted(GET_FORM_PAGES))
def test_fuzzed_get_forms_never_error(page):
    """The public search (and the home page's search box, which sends to it), the
    decisions filter and the whistleblowing register's filter take their values from the
    query string; each is opened by someone who may see it."""
    build_world()
    client = client_as(visitor_for(page))
    opened = reverse(page)
    form = next(
        f for f in parse_forms(client.get(opened).content.decode(), opened) if f.method == "get"
    )
    url = form.action
    for value in EVERYWHERE + payloads.BAD_URLS:
        response = client.get(url, dict.fromkeys(form.fields, value))
        assert response.status_code < 500

    @FUZZ_SETTINGS
    @given(data=payloads.form_data(form))
    def fuzz(data):
        with rolled_back():
            before = row_counts()
            response = client.get(url, data)
            assert response.status_code < 500
            # A page whose opening is logged (the annual report) adds to that log only.
            assert not _without_logged_openings(changed_tables(before, row_counts()), [page])

    fuzz()
