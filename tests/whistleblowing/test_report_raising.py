"""Raising a concern through the reporter's pages (whistleblowing/views/report.py), against
the real database: the questions one a page, the draft that travels in them and nowhere else,
check your answers, the receipt code shown once, and every question's refusals."""

import re
import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from organisation.roles import Role
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.helpers import text_of
from tests.whistleblowing.reporting import (
    ANSWERS,
    WORDS,
    action_of,
    answer,
    code_of,
    draft_of,
    send,
    url,
    walk,
)
from whistleblowing import drafts, receipts, sealing, services
from whistleblowing.models import Channel, Concern, Entry, EntryKind, Route

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


# --- The whole way through ---------------------------------------------------------------------


def test_an_anonymous_reporter_answers_one_question_a_page_and_gets_a_code_once(client):
    start = client.get(url("start"))
    assert start.status_code == 200 and no_store(start)
    page = text_of(start)
    assert "Public Concern at Work" in page and "020 7404 6609" in page
    assert "blowing-the-whistle-list-of-prescribed-people-and-bodies" in start.content.decode()
    assert "If you stay anonymous, we cannot always tell you" in page

    check = walk(client)
    assert action_of(check) == url("raise_check")
    rows = text_of(check)
    assert WORDS in rows and "Whitley depot" in rows and "My line manager In March" in rows
    assert Concern.objects.count() == 0 and Entry.objects.count() == 0

    done = send(client, check)
    assert done.status_code == 200 and no_store(done)
    code = code_of(done)
    assert code and len(code.replace("-", "")) == receipts.CODE_LENGTH
    assert "Write this code down now and keep it safe" in text_of(done)

    concern = Concern.objects.get()
    assert concern.anonymous and concern.reporter_tag is None and concern.logged_by is None
    assert concern.channel == Channel.ONLINE and concern.route == Route.MONITORING_OFFICER
    assert services.concern_for_code(code) == concern
    report = services.entry_content(concern.entries.get(kind=EntryKind.REPORT))
    assert report["what_happened"] == WORDS and report["raised_before"] == ["line_manager"]
    assert report["under_policy"] and report["public_interest"] and report["name"] == ""

    # The code was in no address: not in a redirect, a form's action or the page's links.
    body = done.content.decode()
    assert code not in done.get("Location", "") and f"={code}" not in body
    # Shown once: the same answers sent again are not sent, and no code is shown.
    again = send(client, check)
    assert again.status_code == 200 and no_store(again)
    assert "already been sent" in text_of(again) and not code_of(again)
    assert Concern.objects.count() == 1


def test_fraud_goes_to_the_chief_internal_auditor(client):
    send(client, walk(client, changes={"ground": {"ground": "fraud"}}))
    assert Concern.objects.get().route == Route.CHIEF_INTERNAL_AUDITOR


def test_a_signed_in_officer_giving_their_name_follows_signed_in_without_a_code(client):
    officer = UserFactory(full_name="Jo Officer", email="jo@council.example")
    sign_in(client, officer)
    contact = walk(client, changes={"anonymous": {"anonymous": "named"}}, stop_at="contact")
    page = contact.content.decode()
    assert 'value="Jo Officer"' in page and 'value="jo@council.example"' in page
    check = answer(client, contact, {"name": "Jo Officer", "contact": "jo@council.example"})
    done = send(client, check)
    assert not code_of(done) and "your concerns" in text_of(done).lower()
    concern = Concern.objects.get()
    assert not concern.anonymous
    assert bytes(concern.reporter_tag) == receipts.reporter_tag(officer)
    mine = client.get(url("my_concerns"))
    assert concern.reference in text_of(mine)


def test_a_named_reporter_who_is_not_signed_in_is_given_a_code(client):
    check = walk(client, changes={"anonymous": {"anonymous": "named"}})
    done = send(client, check)
    assert code_of(done)
    concern = Concern.objects.get()
    assert not concern.anonymous and concern.reporter_tag is None
    report = services.entry_content(concern.entries.get(kind=EntryKind.REPORT))
    assert report["name"] == "Jo Reporter"


def test_an_anonymous_concern_raised_signed_in_is_not_linked_to_the_account(client):
    sign_in(client, UserFactory())
    done = send(client, walk(client))
    assert code_of(done)
    assert Concern.objects.get().reporter_tag is None


def test_the_contact_question_is_asked_only_of_named_reporters(client):
    check = walk(client)
    assert "contact" not in [r for r in text_of(check).split() if r == "contact"]
    assert url("raise_contact") not in check.content.decode()
    named = walk(client, changes={"anonymous": {"anonymous": "named"}})
    assert url("raise_contact") in named.content.decode()


# --- Screening ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("about", "page", "words"),
    [
        ("grievance", "grievance", "Use the grievance procedure"),
        ("school", "school", "Use your school’s whistleblowing policy"),
    ],
)
def test_grievances_and_school_staff_are_sent_elsewhere_and_nothing_is_kept(
    client, about, page, words
):
    first = client.get(url("raise_about"))
    response = answer(client, first, {"about": about})
    assert response.status_code == 302 and response["Location"] == url(page)
    shown = client.get(response["Location"])
    assert words in text_of(shown) and "Nothing you entered has been kept" in text_of(shown)
    assert Concern.objects.count() == 0


def test_a_draft_that_skipped_the_screening_is_not_sent(client):
    ground = client.get(url("raise_ground"))
    response = ground
    for name in ("ground", "what_happened"):
        response = answer(client, response, ANSWERS[name])
    check = client.post(url("raise_check"), {"draft": draft_of(response), "show": "1"})
    refused = send(client, check)
    assert "Say what your concern is about" in text_of(refused)
    assert 'href="#change-about"' in refused.content.decode()
    assert Concern.objects.count() == 0


# --- Back, change, and the draft ----------------------------------------------------------------


def test_back_and_change_carry_the_answers(client):
    check = walk(client)
    change = client.post(url("raise_where"), {"draft": draft_of(check), "show": "1"})
    assert 'value="Whitley depot"' in change.content.decode()
    # Continuing from a changed answer goes back to check your answers.
    back_to_check = answer(client, change, {"where": "Canley depot"})
    assert action_of(back_to_check) == url("raise_check")
    assert "Canley depot" in text_of(back_to_check)
    # Back from a question shows the one before it with its answer.
    back = client.post(url("raise_when"), {"draft": draft_of(change), "show": "1"})
    assert "Every Friday since January 2017" in back.content.decode()
    assert f'formaction="{url("raise_what_happened")}"' in back.content.decode()


def test_the_draft_is_sealed_and_holds_no_answer_in_clear(client):
    ground = answer(client, client.get(url("raise_about")), ANSWERS["about"])
    response = answer(client, ground, ANSWERS["ground"])
    response = answer(client, response, ANSWERS["what_happened"])
    token = draft_of(response)
    assert "fuel" not in token.lower() and "criminal" not in token
    opened = sealing.open_draft(token, kind="report", max_age=60)
    assert opened["values"]["what_happened"] == WORDS


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t[:-4] + ("AAAA" if not t.endswith("AAAA") else "BBBB"),
        lambda t: t[:40],
        lambda t: "",
        lambda t: "x" * (sealing.MAX_DRAFT_CHARS + 1),
        lambda t: "not base64 at all ü",
    ],
    ids=["altered", "cut", "empty", "too-long", "garbage"],
)
def test_a_tampered_draft_is_refused_and_the_reporter_starts_again(client, change):
    response = answer(client, client.get(url("raise_about")), ANSWERS["about"])
    posted = client.post(
        url("raise_ground"), {"draft": change(draft_of(response)), "ground": "fraud"}
    )
    assert posted.status_code == 302 and posted["Location"] == url("start_again")
    assert "You need to start again" in text_of(client.get(posted["Location"]))


def test_a_draft_of_one_journey_is_not_taken_by_another(client):
    sign_in(client, UserFactory())
    response = answer(client, client.get(url("raise_about")), ANSWERS["about"])
    posted = client.post(url("log_ground"), {"draft": draft_of(response), "ground": "fraud"})
    assert posted["Location"] == url("start_again")


def test_a_draft_left_for_two_hours_is_refused(client, monkeypatch):
    response = answer(client, client.get(url("raise_about")), ANSWERS["about"])
    later = time.time() + drafts.IDLE.total_seconds() + 5
    monkeypatch.setattr(sealing.time, "time", lambda: later)
    posted = client.post(url("raise_ground"), {"draft": draft_of(response), "ground": "fraud"})
    assert posted["Location"] == url("start_again")


def test_a_draft_kept_alive_is_still_refused_after_its_lifetime(client, monkeypatch):
    response = answer(client, client.get(url("raise_about")), ANSWERS["about"])
    later = time.time() + drafts.LIFETIME.total_seconds() + 5
    token = sealing.seal_draft(
        sealing.open_draft(draft_of(response), kind="report", max_age=60),
        kind="report",
        now=later,
    )
    monkeypatch.setattr(sealing.time, "time", lambda: later)
    monkeypatch.setattr(drafts.time, "time", lambda: later)
    posted = client.post(url("raise_ground"), {"draft": token, "ground": "fraud"})
    assert posted["Location"] == url("start_again")


# --- Every question's refusals -------------------------------------------------------------------

OVERLONG = "x" * (services.MAX_TEXT + 1)
REFUSALS = [
    ("about", {}, "Select what your concern is about"),
    ("about", {"about": "lottery"}, "Select what your concern is about"),
    ("ground", {}, services.NO_GROUND),
    ("ground", {"ground": "<script>"}, services.NO_GROUND),
    ("what_happened", {"what_happened": "   "}, services.NO_ACCOUNT),
    ("what_happened", {"what_happened": OVERLONG}, "What happened? must be 20,000 characters"),
    ("what_happened", {"what_happened": "a\x00b"}, "contains characters that are not allowed"),
    ("when", {"when": "w" * 501}, "When did it happen? must be 500 characters or fewer"),
    ("where", {"where": "\x00"}, "contains characters that are not allowed"),
    ("who", {"who": OVERLONG}, "must be 20,000 characters or fewer"),
    ("evidence", {"evidence": OVERLONG}, "must be 20,000 characters or fewer"),
    ("raised_before", {}, "Select who you told, or ‘No, I have not told anyone’"),
    ("raised_before", {"raised_before": ["none", "supervisor"]}, "not both"),
    ("raised_before", {"raised_before": ["the press"]}, "Select who you told"),
    (
        "raised_before",
        {"raised_before": ["supervisor"], "raised_before_details": "d" * 501},
        "must be 500 characters or fewer",
    ),
    ("public_interest", {}, services.NOT_PUBLIC_INTEREST),
    ("reporter_kind", {}, services.NO_REPORTER_KIND),
    ("reporter_kind", {"reporter_kind": "councillor"}, services.NO_REPORTER_KIND),
    ("anonymous", {}, "Select whether you want to give your name"),
    ("anonymous", {"anonymous": "both"}, "Select whether you want to give your name"),
    ("contact", {"contact": "jo@example.org"}, "Enter your name"),
    ("contact", {"name": "Jo"}, "Enter an email address or telephone number"),
    ("contact", {"name": "n" * 201, "contact": "x"}, "Your name must be 200 characters"),
    ("check", {}, services.NOT_UNDER_POLICY),
]


@pytest.mark.parametrize(
    ("step", "data", "message"), REFUSALS, ids=[f"{s}-{n}" for n, (s, _, _) in enumerate(REFUSALS)]
)
def test_every_question_refuses_what_cannot_be_an_answer_and_keeps_nothing(
    client, step, data, message
):
    changes = {"anonymous": {"anonymous": "named"}} if step == "contact" else {}
    page = walk(client, changes=changes, stop_at=step)
    assert action_of(page) == url(f"raise_{step}")
    refused = answer(client, page, data)
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "govuk-error-summary" in body and "<title>Error:" in body
    assert message in text_of(refused)
    assert action_of(refused) == url(f"raise_{step}")  # the same question again
    assert Concern.objects.count() == 0 and Entry.objects.count() == 0

    # The draft still carries the answers given so far.
    def values(response):
        return sealing.open_draft(draft_of(response), kind="report", max_age=60)["values"]

    assert values(refused) == values(page)


def test_hostile_markup_in_an_answer_is_shown_as_text(client):
    check = walk(client, changes={"what_happened": {"what_happened": "<script>alert(1)</script>"}})
    body = check.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_every_question_page_is_never_stored_and_each_has_its_own_address(client):
    for name in ("about", "ground", "what_happened", "files", "anonymous", "check"):
        response = client.get(url(f"raise_{name}"))
        assert response.status_code == 200 and no_store(response), name
        assert action_of(response) == url(f"raise_{name}")


# --- Logging a concern on someone's behalf (policy 12) -------------------------------------------


def test_anyone_must_sign_in_to_log_a_concern_for_someone(client):
    response = client.get(url("log_channel"))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_a_line_manager_logs_a_named_concern_the_reporter_then_follows_signed_in(client):
    reporter = UserFactory(email="Sam.Reporter@council.example", full_name="Sam Reporter")
    manager = UserFactory(roles=[Role.OFFICER])
    sign_in(client, manager)
    changes = {
        "anonymous": {"anonymous": "named"},
        "reporter": {"reporter_email": "  SAM.REPORTER@council.example "},
    }
    check = walk(client, journey="log", changes=changes)
    assert "Log a concern raised with you" in text_of(check)
    done = send(client, check)
    assert "Concern logged" in text_of(done) and not code_of(done)
    assert "Sam Reporter follows it signed in" in text_of(done)
    concern = Concern.objects.get()
    assert concern.logged_by == manager and concern.channel == Channel.TELEPHONE
    assert bytes(concern.reporter_tag) == receipts.reporter_tag(reporter)
    report = services.entry_content(concern.entries.get(kind=EntryKind.REPORT))
    assert report["name"] == "Sam Reporter" and report["contact"] == reporter.email

    # The reporter follows it; the manager who logged it cannot open it.
    assert client.get(url("my_concerns")).content.decode().count(concern.reference) == 0
    assert client.get(reverse("whistleblowing:my_concern", args=[concern.pk])).status_code == 404
    sign_in(client, reporter)
    assert concern.reference in text_of(client.get(url("my_concerns")))
    opened = client.get(reverse("whistleblowing:my_concern", args=[concern.pk]), follow=True)
    assert WORDS in text_of(opened)


def test_a_concern_for_an_unknown_account_or_for_oneself_is_refused_clearly(client):
    manager = UserFactory(email="manager@council.example")
    sign_in(client, manager)
    page = walk(
        client, journey="log", changes={"anonymous": {"anonymous": "named"}}, stop_at="reporter"
    )
    unknown = answer(client, page, {"reporter_email": "nobody@council.example"})
    assert "There is no account with this email address" in text_of(unknown)
    oneself = answer(client, page, {"reporter_email": manager.email.upper()})
    assert "You cannot log a concern for yourself" in text_of(oneself)
    not_an_address = answer(client, page, {"reporter_email": "not an address"})
    assert "Enter an email address in the correct format" in text_of(not_an_address)
    assert Concern.objects.count() == 0


def test_an_anonymous_concern_logged_for_someone_shows_the_code_to_hand_over_once(client):
    manager = UserFactory()
    sign_in(client, manager)
    done = send(client, walk(client, journey="log"))
    code = code_of(done)
    assert code and "Give this code to the person who raised the concern" in text_of(done)
    concern = Concern.objects.get()
    assert concern.logged_by == manager and concern.reporter_tag is None
    # The officer who logged it cannot follow it with the code they handed over, and is told
    # why (not that the code is wrong: it is the one to hand over).
    refused = client.post(url("follow"), {"code": code})
    assert refused.status_code == 200 and "You logged this concern" in text_of(refused)
    assert "does not match a concern" not in text_of(refused)


# --- Finding it ---------------------------------------------------------------------------------


def test_everyone_finds_it_in_the_navigation_and_the_footer(client):
    home = client.get(reverse("home")).content.decode()
    nav = home[home.index('id="navigation"') : home.index("</nav>")]
    assert f'href="{url("start")}"' in nav and "Whistleblowing" in nav
    footer = home[home.index('class="govuk-footer"') :]
    assert f'href="{url("start")}"' in footer and "Raise a whistleblowing concern" in footer
    page = client.get(url("follow")).content.decode()
    current = page[page.index('id="navigation"') : page.index("</nav>")]
    assert re.search(r'aria-current="page">\s*<strong[^>]*>Whistleblowing</strong>', current)


def test_only_the_register_is_current_on_the_register_s_pages(rf):
    from django.contrib.auth.models import AnonymousUser

    from governance_portal.navigation import items_for

    request = rf.get("/whistleblowing/register/")
    request.user = UserFactory(roles=[Role.MONITORING_OFFICER])
    current = [item["label"] for item in items_for(request) if item["active"]]
    assert current == ["Whistleblowing register"]
    request = rf.get("/whistleblowing/follow/")
    request.user = AnonymousUser()
    assert [item["label"] for item in items_for(request) if item["active"]] == ["Whistleblowing"]


def test_the_longest_answers_in_the_hardest_characters_still_travel_in_the_draft(client):
    longest = "\x01😀" * (services.MAX_TEXT // 2)
    changes = {name: {name: longest} for name in ("what_happened", "who", "evidence")}
    check = walk(client, changes=changes)
    assert action_of(check) == url("raise_check")
    assert len(draft_of(check)) < sealing.MAX_DRAFT_CHARS
    send(client, check)
    report = services.entry_content(Concern.objects.get().entries.get(kind=EntryKind.REPORT))
    assert report["who"] == longest
