"""Whistleblowing from both sides in real browsers, one window a person, axe (WCAG 2.2 AA) on
every page each of them visits:

- an anonymous reporter raises a concern (told, before going on, that the file they add names
  them in its properties); the Monitoring Officer finds it in the register with
  its clock running, opens it and its file, acknowledges it, appoints an investigating officer
  (who sees that case and no other, and adds a note with evidence), decides to investigate,
  records a meeting and messages the reporter; the reporter comes back with the code, reads
  the acknowledgement, the message and the meeting's note, comments on it and replies with a
  file; the Monitoring Officer reads the reply, closes the concern with an outcome and lessons
  learned, and reads who opened it; the reporter reads that the process is complete;
- an officer raises a concern with their name, signed in, and reads the Monitoring Officer's
  message under "Your concerns" (the e-mail telling them it waits says nothing of it);
- a line manager logs a fraud concern raised with them by telephone, anonymously: they get the
  code to hand over and cannot open the concern, with it or without; it reaches the Chief
  Internal Auditor (and not an investigator), and the person it was handed to follows it;
- the Monitoring Officer's annual report goes on an Audit and Procurement Committee agenda,
  and the clerk finds the new item and its report with the PDF.

After each journey the test database is read whole with pg_dump, with the files stored, the
log of the server that served the pages and the e-mails it sent: none holds a word the people
typed into a case, a message, a file's contents, a reporter's name or contact, or the address
and browser they came from (a signed-in reporter's name only in their own account).
"""

import datetime as dt
import logging
import re
import threading
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from committees.models import AgendaItem, Paper
from organisation.roles import Role
from portal_kit.models import ANY_VERSION
from portal_kit.templatetags.portal_kit import day, full_day
from portal_kit.time import LONDON
from tests import helpers
from tests.committees.factories import MeetingFactory, OrganizationFactory
from tests.conftest import sign_in
from tests.e2e.test_accessibility import check_with_axe, describe
from tests.factories import UserFactory
from whistleblowing import rules, services
from whistleblowing.models import Attachment, CaseOpening, Concern, EntryKind, Status

#: Where every person's browser comes from, as a proxy forwards it, and what it says it is.
ADDRESS = "203.0.113.58"
#: The proxy's address, as the server sees every request come (REMOTE_ADDR).
PROXY = "127.0.0.1"
AGENT = "Mozilla/5.0 (X11; Linux x86_64) Zebrafinch/71.3"
CODE = re.compile(r"^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$")


# --- The words typed in the journeys: none may be kept in clear or logged -------------------


def pdf(text: str, *, author: str = "") -> bytes:
    """A real PDF whose text and author are in its bytes as written (no compression), so a
    copy of the file kept in clear would show them."""
    from fpdf import FPDF

    document = FPDF()
    document.set_compression(False)
    if author:
        document.set_author(author)
    document.set_font("helvetica", size=12)
    document.add_page()
    document.multi_cell(0, 8, text)
    return bytes(document.output())


# The anonymous reporter's concern, its file (whose properties name them) and what follows.
REPORTER_NAME = "Perpetua Quillfeather"
WHAT = "Gritting lorries leave the Zelwick depot with their salt hoppers empty"
WHEN = "Every frosty night since the Tamworx rota began"
WHERE = "Zelwick depot, Holbrook Lane"
WHO = "The night supervisor, Bartholomew Quince"
EVIDENCE = "The Pennywhisk hopper logs"
FILE_TEXT = "Hopper log Yarrowlix 4471"
SUMMARY = "Gritting lorries sent out unloaded from the Zelwick depot"
ACKNOWLEDGEMENT = "We will look at the Thornbock gritting rota next week."
TRIAGE_REASON = "Specific and credible: the Brackenholz logs can be checked"
MEETING_PLACE = "Room 3, Quorndock Library"
MEETING_NOTE = "Went through the Fothergix route sheets together."
MESSAGE = "Which nights did you see the Marlowvick lorries leave?"
COMMENT = "The Fothergix sheets were changed after our meeting."
REPLY = "The nights of 3 and 4 December, at the Oxenhock junction."
REPLY_FILE_TEXT = "Photo notes Kestrelmox 88"
NOTE = "Statements taken from the Wetherdock drivers."
NOTE_FILE_TEXT = "Driver statement Sumberlix 12"
FINDINGS = "Hoppers were left empty on the Quarrendock nights."
CLOSING = "Thank you. Loading checks now happen before every Vexbrick run."
#: Lessons learned go to the Audit and Procurement Committee: written to be published.
LESSONS = "Gritting lorries need a loading check before they leave"

# The named officer's concern, the personal address they gave, and the message they read.
OFFICER_NAME = "Rowan Achterberg"
OFFICER_WHAT = "The Glaxbury library contract was let without opening the other tenders"
OFFICER_CONTACT = "rowan.home.mail@example.net"
OFFICER_SUMMARY = "The Glaxbury library contract let without a fair competition"
OFFICER_MESSAGE = "Please bring the Dravenock invoices to our meeting."

# The concern logged for someone by telephone.
LOGGED_WHAT = "Cash from the Ulverick car park machines is counted by one person alone"
LOGGED_WHO = "The parking cashier, Jem Torrix"

SECRETS = [
    REPORTER_NAME,
    WHAT,
    WHEN,
    WHERE,
    WHO,
    EVIDENCE,
    FILE_TEXT,
    SUMMARY,
    ACKNOWLEDGEMENT,
    TRIAGE_REASON,
    MEETING_PLACE,
    MEETING_NOTE,
    MESSAGE,
    COMMENT,
    REPLY,
    REPLY_FILE_TEXT,
    NOTE,
    NOTE_FILE_TEXT,
    FINDINGS,
    CLOSING,
    OFFICER_WHAT,
    OFFICER_CONTACT,
    OFFICER_SUMMARY,
    OFFICER_MESSAGE,
    LOGGED_WHAT,
    LOGGED_WHO,
    ADDRESS,
    AGENT,
    PROXY,
]
#: Made-up words, one or more in each text above: a search index keeps words, not sentences
#: (stemmed and lower-cased, so none of these ends in a suffix a stemmer would cut).
MARKERS = [
    "Quillfeather",
    "Zelwick",
    "Tamworx",
    "Holbrook",
    "Quince",
    "Pennywhisk",
    "Yarrowlix",
    "Thornbock",
    "Brackenholz",
    "Quorndock",
    "Fothergix",
    "Marlowvick",
    "Oxenhock",
    "Kestrelmox",
    "Wetherdock",
    "Sumberlix",
    "Quarrendock",
    "Vexbrick",
    "Glaxbury",
    "Dravenock",
    "Ulverick",
    "Torrix",
    "Zebrafinch",
]


# --- Pages -----------------------------------------------------------------------------------


def accessible(page):
    violations = check_with_axe(page)["violations"]
    assert not violations, describe(violations, page.url)


def heading(page, text):
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(re.escape(text)))


def succeeded(page, message):
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(message)
    accessible(page)


def press(page, name):
    page.get_by_role("button", name=name, exact=True).click()


def proceed(page):
    press(page, "Continue")


def choose(page, label):
    page.get_by_label(label, exact=True).check()


@pytest.fixture
def window(browser, live_server, transactional_db, settings):
    """window(user) -> a page in a browser of that person's own (their own cookies), signed in
    (privileged roles past their second factor); window() for someone not signed in. Every
    browser reaches the portal through one proxy (TRUSTED_PROXY_COUNT=1), which forwards its
    address, and names itself in its user agent."""
    settings.AXES_IPWARE_PROXY_COUNT = 1
    contexts = []

    def open_window(user=None):
        context = browser.new_context(
            base_url=live_server.url,
            locale="en-GB",
            user_agent=AGENT,
            extra_http_headers={"X-Forwarded-For": ADDRESS},
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        if user is not None:
            client = sign_in(Client(), user)
            context.add_cookies(
                [
                    {
                        "name": django_settings.SESSION_COOKIE_NAME,
                        "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                        "url": live_server.url,
                    }
                ]
            )
        return context.new_page()

    yield open_window
    for context in contexts:
        context.close()


@pytest.fixture
def watched(caplog, settings, tmp_path):
    """The server's log from the start of the journey, and a media folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    caplog.set_level(logging.DEBUG)
    return caplog


# --- Raising a concern, one question a page ---------------------------------------------------


def answer_questions(page, *, behalf: bool, ground: str, what: str, files=(), **answers):
    """From the first question to check your answers, axe on each page. `answers` may give
    when, where, who, evidence, told (a label), kind (a label) and named."""
    heading(
        page, "What is the person’s concern about?" if behalf else "What is your concern about?"
    )
    accessible(page)
    choose(page, "Wrongdoing in the council’s work")
    proceed(page)
    heading(page, "Which of these best describes the wrongdoing?")
    accessible(page)
    choose(page, ground)
    proceed(page)
    heading(page, "What happened?")
    accessible(page)
    page.get_by_label("What happened?").fill(what)
    proceed(page)
    for question, key in (
        ("When did it happen?", "when"),
        ("Where did it happen?", "where"),
        ("Who was involved?", "who"),
        ("What evidence is there?", "evidence"),
    ):
        heading(page, question)
        accessible(page)
        if answers.get(key):
            page.get_by_label(f"{question} (optional)").fill(answers[key])
        proceed(page)
    heading(page, "Add documents or photos (optional)")
    accessible(page)
    if files:
        page.get_by_label("Upload files").set_input_files(list(files))
        proceed(page)
        if answers.get("files_name"):
            # The file names someone: the page says so before the reporter goes on.
            heading(page, "Add documents or photos (optional)")
            expect(page.locator(".govuk-summary-list")).to_contain_text(
                f"This file’s properties name: {answers['files_name']}"
            )
            accessible(page)
            proceed(page)
    else:
        proceed(page)
    heading(page, "Has the person told anyone" if behalf else "Have you told anyone")
    accessible(page)
    choose(
        page,
        answers.get(
            "told", "They have not told anyone" if behalf else "No, I have not told anyone"
        ),
    )
    proceed(page)
    heading(page, "in the public interest")
    accessible(page)
    page.get_by_label(
        "The person reasonably believes that raising this concern is in the public interest"
        if behalf
        else "I reasonably believe that raising this concern is in the public interest"
    ).check()
    proceed(page)
    heading(page, "How does the person work" if behalf else "How do you work for the council?")
    accessible(page)
    choose(page, answers.get("kind", "Permanent employee"))
    proceed(page)
    heading(
        page,
        "Does the person want to give their name?" if behalf else "Do you want to give your name?",
    )
    accessible(page)
    if answers.get("named"):
        choose(page, "Yes" if behalf else "Yes, give my name")
    else:
        choose(page, "No, they want to stay anonymous" if behalf else "No, stay anonymous")
    proceed(page)


def send(page, *, behalf: bool):
    heading(page, "Check the concern before logging it" if behalf else "Check your answers")
    accessible(page)
    if behalf:
        page.get_by_label(
            "The person is raising this concern under the council’s Whistleblowing Policy"
        ).check()
        press(page, "Log the concern")
    else:
        page.get_by_label(
            "I am raising this concern under the council’s Whistleblowing Policy"
        ).check()
        press(page, "Send concern")
    expect(page.locator(".govuk-panel__title")).to_have_text(
        "Concern logged" if behalf else "Concern sent"
    )
    accessible(page)


def follow_with_code(page, code):
    page.goto("/")
    page.get_by_role("contentinfo").get_by_role(
        "link", name="Raise a whistleblowing concern"
    ).click()
    heading(page, "Raise a whistleblowing concern")
    accessible(page)
    page.get_by_role("link", name="Follow up your concern with your receipt code").click()
    heading(page, "Follow up your concern")
    accessible(page)
    page.get_by_label("Receipt code").fill(code)
    proceed(page)


def today() -> dt.date:
    return timezone.now().astimezone(LONDON).date()


# --- What the database and the log keep -------------------------------------------------------


def pg_dump() -> str:
    """The whole test database as pg_dump writes it (tests.helpers.pg_dump)."""
    dump, failures = helpers.pg_dump(django_settings.DATABASES["default"])
    if dump is None:
        pytest.fail(f"no pg_dump could read the test database: {failures}")
    return dump


def without_accounts(dump: str) -> str:
    """The dump less the rows that are people's own accounts (their name and address are
    there, as every account's are) and their history."""
    kept = []
    skipping = False
    for line in dump.splitlines():
        if line.startswith("COPY public.organisation_user") or line.startswith(
            "COPY public.organisation_historicaluser"
        ):
            skipping = True
        if not skipping:
            kept.append(line)
        elif line == "\\.":
            skipping = False
    return "\n".join(kept)


def held(text: str, secrets=SECRETS, markers=MARKERS) -> list[str]:
    """The secrets in `text`, in any case or as the hex a bytea column is dumped in, and the
    made-up words."""
    lowered = text.lower()
    found = [s for s in secrets if s.lower() in lowered or s.encode().hex() in lowered]
    return found + [m for m in markers if m.lower() in lowered]


def nothing_kept(caplog, *, account_names=()):
    """Neither the database (read whole with pg_dump), nor the files stored, nor the server's
    log of the journey, nor an e-mail holds any of the secrets or made-up words; the names
    of signed-in reporters (`account_names`) only in their own accounts."""
    assert all(any(m in s for s in SECRETS) for m in MARKERS)
    dump = pg_dump()
    assert "whistleblowing_entry" in dump  # the dump is of this database
    assert held(dump) == [], "the database holds these in clear"
    assert all(name.lower() in dump.lower() for name in account_names)  # in their accounts
    assert held(without_accounts(dump), account_names, []) == [], "beyond the accounts"

    media = Path(django_settings.MEDIA_ROOT)
    stored = [path for path in media.rglob("*") if path.is_file()]
    assert all((media / a.sealed_file.name) in stored for a in Attachment.objects.all())
    for path in stored:
        assert held(path.read_bytes().decode("latin-1")) == [], path.name

    # The server's: what its threads logged (the requests' and the background tasks'), not
    # the test's own set-up.
    served = [r for r in caplog.records if r.thread != threading.main_thread().ident]
    assert served, "nothing was captured from the server"
    logged = "\n".join(
        f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''}" for r in served
    )
    assert held(logged, [*SECRETS, *account_names]) == [], "the log holds these"
    assert [r.getMessage() for r in served if r.levelno >= logging.ERROR] == []
    for message in mail.outbox:  # their links name the portal, wherever it is
        text = f"{message.subject}\n{message.body}"
        assert held(text, [s for s in SECRETS if s != PROXY]) == [], message.subject


# --- The journeys -----------------------------------------------------------------------------


def test_an_anonymous_concern_from_the_reporter_to_the_monitoring_officer_and_back(
    window, watched, tmp_path
):
    monitoring_officer = UserFactory(roles=[Role.MONITORING_OFFICER], full_name="Helen Lynch")
    investigator = UserFactory(
        roles=[Role.INVESTIGATING_OFFICER], full_name="Ann Smith", job_title="Auditor"
    )
    earlier = services.raise_concern(
        answers=services.Answers(
            ground="environment",
            what_happened="Oil in the brook",
            public_interest=True,
            reporter_kind="permanent",
            under_policy=True,
        ),
        now=timezone.now() - dt.timedelta(days=3),
    ).concern
    hopper_log = tmp_path / "hopper log.pdf"
    hopper_log.write_bytes(pdf(FILE_TEXT, author=REPORTER_NAME))

    # The reporter raises it, anonymously, with a file whose properties name them.
    reporter = window()
    reporter.goto("/")
    reporter.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Whistleblowing"
    ).click()
    heading(reporter, "Raise a whistleblowing concern")
    accessible(reporter)
    reporter.get_by_role("button", name="Start now").click()
    answer_questions(
        reporter,
        behalf=False,
        ground="Danger to health and safety",
        what=WHAT,
        when=WHEN,
        where=WHERE,
        who=WHO,
        evidence=EVIDENCE,
        files=[str(hopper_log)],
        files_name=REPORTER_NAME,
        told="My line manager",
        kind="Agency worker",
    )
    send(reporter, behalf=False)
    code = reporter.locator("#receipt-code").inner_text().strip()
    assert CODE.match(code), code
    concern = Concern.objects.get(pk__gt=earlier.pk)
    due = day(rules.acknowledge_by(today()))
    expect(reporter.locator("main")).to_contain_text(
        f"You will get a written acknowledgement by {due}"
    )

    # The Monitoring Officer finds it in the register, the 7 days' clock running.
    officer = window(monitoring_officer)
    officer.goto("/")
    officer.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Whistleblowing register"
    ).click()
    heading(officer, "Whistleblowing register")
    row = officer.get_by_role("row", name=re.compile(concern.reference))
    expect(row).to_contain_text("Danger to health and safety")
    expect(row).to_contain_text(f"Acknowledgement due in 7 days (by {due})")
    expect(officer.get_by_role("row", name=re.compile(earlier.reference))).to_contain_text(
        "Acknowledgement due in 4 days"
    )
    expect(officer.locator("main")).not_to_contain_text("Zelwick")
    accessible(officer)
    row.get_by_role("link", name=concern.reference).click()

    heading(officer, concern.reference)
    main = officer.locator("main")
    for said in (WHAT, WHEN, WHERE, WHO, EVIDENCE):
        expect(main).to_contain_text(said)
    expect(main).to_contain_text("Anonymous: follows the case with a receipt code")
    expect(main).to_contain_text("Acknowledgement due in 7 days")
    accessible(officer)
    with officer.expect_download() as download:
        officer.get_by_role("link", name="hopper log.pdf").click()
    assert Path(download.value.path()).read_bytes() == hopper_log.read_bytes()

    officer.get_by_role("button", name="Acknowledge").click()
    heading(officer, "Acknowledge the concern")
    expect(officer.locator("main")).to_contain_text(f"by {due} for this concern")
    accessible(officer)
    officer.get_by_label("Summary of the concern").fill(SUMMARY)
    officer.get_by_label("Anything else to tell the reporter (optional)").fill(ACKNOWLEDGEMENT)
    press(officer, "Send the acknowledgement")
    succeeded(officer, "Acknowledgement sent")
    expect(main).to_contain_text("Acknowledged on time, the day it was raised")

    officer.get_by_role("button", name="Appoint an investigating officer").click()
    heading(officer, "Appoint an investigating officer")
    accessible(officer)
    officer.get_by_label("Ann Smith, Auditor").check()
    press(officer, "Appoint")
    succeeded(officer, "Ann Smith appointed")

    officer.get_by_role("button", name="Decide what happens").click()
    heading(officer, "Decide what happens to the concern")
    accessible(officer)
    officer.get_by_label("Investigate under this policy").check()
    officer.get_by_label("The reason for the decision").fill(TRIAGE_REASON)
    press(officer, "Record the decision")
    succeeded(officer, "Decision recorded")

    officer.get_by_role("button", name="Record a meeting").click()
    heading(officer, "Record a meeting with the reporter")
    accessible(officer)
    met = today()
    officer.get_by_label("Day").fill(str(met.day))
    officer.get_by_label("Month").fill(str(met.month))
    officer.get_by_label("Year").fill(str(met.year))
    officer.get_by_label("Time (optional)").fill("10am")
    officer.get_by_label("Where").fill(MEETING_PLACE)
    officer.get_by_label("Away from the reporter's normal place of work, as they asked").check()
    officer.get_by_label("Note of the meeting (optional)").fill(MEETING_NOTE)
    press(officer, "Record the meeting")
    succeeded(officer, "Meeting recorded")

    officer.get_by_role("button", name="Message the reporter").click()
    heading(officer, "Message the reporter")
    expect(officer.locator("main")).to_contain_text("come back with their receipt code")
    accessible(officer)
    officer.get_by_label("Message", exact=True).fill(MESSAGE)
    press(officer, "Send the message")
    succeeded(officer, "Message sent")

    # The investigating officer sees this case, and no other, and adds a note with evidence.
    statement = tmp_path / "statement.pdf"
    statement.write_bytes(pdf(NOTE_FILE_TEXT))
    auditor = window(investigator)
    auditor.goto("/whistleblowing/register/")
    heading(auditor, "Whistleblowing register")
    expect(auditor.locator(".govuk-table")).to_contain_text(concern.reference)
    expect(auditor.locator("main")).not_to_contain_text(earlier.reference)
    accessible(auditor)
    auditor.get_by_role("link", name=concern.reference).click()
    heading(auditor, concern.reference)
    expect(auditor.locator("main")).to_contain_text(WHAT)
    expect(auditor.get_by_role("button", name="Close the concern")).to_have_count(0)
    accessible(auditor)
    auditor.get_by_role("button", name="Add a note or evidence").click()
    heading(auditor, "Add an investigation note")
    accessible(auditor)
    auditor.get_by_label("Note", exact=True).fill(NOTE)
    auditor.get_by_label("Evidence (optional)").set_input_files(str(statement))
    press(auditor, "Add the note")
    succeeded(auditor, "Note added")
    response = auditor.goto(f"/whistleblowing/register/{earlier.pk}/")
    assert response.status == 404
    accessible(auditor)

    # The reporter comes back with the code: the acknowledgement, the message, the meeting.
    reply_photo = tmp_path / "night notes.pdf"
    reply_photo.write_bytes(pdf(REPLY_FILE_TEXT))
    follow_with_code(reporter, code.lower().replace("-", " "))
    heading(reporter, "Your concern")
    expect(reporter.locator("#status")).to_contain_text("It is being investigated")
    acknowledgement = reporter.locator(".govuk-inset-text").first
    expect(acknowledgement).to_contain_text(SUMMARY)
    expect(acknowledgement).to_contain_text(ACKNOWLEDGEMENT)
    expect(reporter.locator("main")).to_contain_text(MESSAGE)
    expect(reporter.locator("main")).to_contain_text(MEETING_NOTE)
    expect(reporter.locator("main")).to_contain_text(MEETING_PLACE)
    expect(reporter.locator("main")).not_to_contain_text(NOTE)
    expect(reporter.locator("main")).not_to_contain_text(TRIAGE_REASON)
    accessible(reporter)
    reporter.get_by_label("Your comment on the note").fill(COMMENT)
    press(reporter, "Send comment")
    expect(reporter.locator(".govuk-notification-banner")).to_contain_text(
        "Your comment has been sent"
    )
    accessible(reporter)
    reporter.get_by_label("Your message").fill(REPLY)
    reporter.get_by_label("Add files (optional)").set_input_files(str(reply_photo))
    press(reporter, "Send")
    expect(reporter.locator(".govuk-notification-banner")).to_contain_text(
        "Your message has been sent"
    )
    expect(reporter.locator("main")).to_contain_text(REPLY)
    accessible(reporter)

    # The Monitoring Officer sees the reporter waiting, reads the reply and closes the case.
    officer.goto("/whistleblowing/register/")
    row = officer.get_by_role("row", name=re.compile(concern.reference))
    expect(row).to_contain_text("Reporter waiting")
    expect(row).to_contain_text("Under investigation")
    expect(row).to_contain_text("Investigating: Ann Smith")
    accessible(officer)
    row.get_by_role("link", name=concern.reference).click()
    for said in (REPLY, COMMENT, NOTE):
        expect(main).to_contain_text(said)
    expect(officer.get_by_role("link", name="night notes.pdf")).to_be_visible()
    expect(officer.get_by_role("link", name="statement.pdf")).to_be_visible()
    accessible(officer)
    officer.get_by_role("button", name="Close the concern").click()
    heading(officer, "Close the concern")
    accessible(officer)
    press(officer, "Close the concern")
    expect(officer.locator(".govuk-error-summary")).to_contain_text(services.NO_OUTCOME)
    expect(officer).to_have_title(re.compile(r"^Error: "))
    accessible(officer)
    officer.get_by_label("Substantiated", exact=True).check()
    officer.get_by_label("Findings (optional)").fill(FINDINGS)
    officer.get_by_label("Lessons learned (optional)").fill(LESSONS)
    officer.get_by_label("Message to the reporter").fill(CLOSING)
    press(officer, "Close the concern")
    succeeded(officer, "Concern closed")
    expect(main).to_contain_text("Outcome")
    expect(officer.get_by_role("button", name="Reopen the concern")).to_be_visible()

    officer.get_by_role("link", name="Who has opened this case").click()
    heading(officer, "Who opened this case")
    openings = officer.locator(".govuk-table")
    expect(openings.get_by_role("row", name=re.compile("Helen Lynch"))).not_to_have_count(0)
    expect(openings.get_by_role("row", name=re.compile("Ann Smith"))).not_to_have_count(0)
    expect(openings).to_contain_text("A file added on")
    accessible(officer)
    assert set(
        CaseOpening.objects.filter(concern=concern).values_list("reader__full_name", flat=True)
    ) == {"Helen Lynch", "Ann Smith"}

    # The reporter reads that it is complete, and the closing message.
    reporter.reload()
    expect(reporter.locator("#status")).to_contain_text(
        "The whistleblowing process for it is complete"
    )
    expect(reporter.locator("main")).to_contain_text(CLOSING)
    expect(reporter.locator("main")).not_to_contain_text(FINDINGS)
    accessible(reporter)
    press(reporter, "Sign out of this case")
    heading(reporter, "Raise a whistleblowing concern")

    concern.refresh_from_db()
    assert concern.status == Status.CLOSED and concern.reporter_waiting_since is None
    assert concern.entries.filter(kind=EntryKind.MEETING_COMMENT).count() == 1
    nothing_kept(watched)


def test_a_named_officer_raises_a_concern_and_reads_the_reply_under_your_concerns(
    window, watched, live_server
):
    monitoring_officer = UserFactory(roles=[Role.MONITORING_OFFICER], full_name="Helen Lynch")
    account = UserFactory(
        roles=[Role.OFFICER], full_name=OFFICER_NAME, email="rowan.achterberg@council.example"
    )

    # Signed in, the officer raises it with their name, and a personal address to hear on.
    officer = window(account)
    officer.goto("/")
    officer.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Whistleblowing"
    ).click()
    heading(officer, "Raise a whistleblowing concern")
    expect(officer.get_by_role("link", name="your concerns")).to_be_visible()
    accessible(officer)
    officer.get_by_role("button", name="Start now").click()
    answer_questions(
        officer,
        behalf=False,
        ground="A breach of a legal obligation",
        what=OFFICER_WHAT,
        kind="Permanent employee",
        named=True,
    )
    heading(officer, "Your name")
    expect(officer.get_by_label("Your name")).to_have_value(OFFICER_NAME)
    contact = officer.get_by_label("How can we contact you?")
    expect(contact).to_have_value("rowan.achterberg@council.example")
    accessible(officer)
    contact.fill(OFFICER_CONTACT)
    proceed(officer)
    expect(officer.locator(".govuk-summary-list")).to_contain_text(OFFICER_CONTACT)
    send(officer, behalf=False)
    expect(officer.locator("#receipt-code")).to_have_count(0)
    expect(officer.locator("main")).to_contain_text("Sign in and go to your concerns")
    concern = Concern.objects.get()
    assert not concern.anonymous and concern.receipt_hash is None

    # The Monitoring Officer acknowledges it and writes to them.
    handler = window(monitoring_officer)
    handler.goto("/whistleblowing/register/")
    expect(handler.get_by_role("row", name=re.compile(concern.reference))).to_contain_text(
        "Acknowledgement due in 7 days"
    )
    accessible(handler)
    handler.get_by_role("link", name=concern.reference).click()
    heading(handler, concern.reference)
    expect(handler.locator("main")).to_contain_text(OFFICER_WHAT)
    expect(handler.locator("main")).to_contain_text(OFFICER_CONTACT)
    accessible(handler)
    handler.get_by_role("button", name="Acknowledge").click()
    handler.get_by_label("Summary of the concern").fill(OFFICER_SUMMARY)
    press(handler, "Send the acknowledgement")
    succeeded(handler, "Acknowledgement sent")
    mail.outbox.clear()
    handler.get_by_role("button", name="Message the reporter").click()
    heading(handler, "Message the reporter")
    expect(handler.locator("main")).not_to_contain_text("anonymously")
    accessible(handler)
    handler.get_by_label("Message", exact=True).fill(OFFICER_MESSAGE)
    press(handler, "Send the message")
    succeeded(handler, "Message sent")

    # An e-mail says a message waits, and where, and nothing of it.
    (notice,) = mail.outbox
    assert notice.to == [OFFICER_CONTACT]
    link = re.search(r"https?://\S+", notice.body)[0]
    assert link.endswith("/whistleblowing/your-concerns/")
    officer.goto(link.replace(django_settings.PORTAL_URL.rstrip("/"), live_server.url))
    heading(officer, "Your concerns")
    expect(officer.get_by_role("row", name=re.compile(concern.reference))).to_contain_text(
        "Acknowledged"
    )
    accessible(officer)
    officer.get_by_role("link", name=concern.reference).click()
    heading(officer, "Your concern")
    expect(officer.locator("#status")).to_contain_text("It has been acknowledged")
    expect(officer.locator("main")).to_contain_text(OFFICER_MESSAGE)
    expect(officer.locator("main")).to_contain_text(OFFICER_SUMMARY)
    accessible(officer)
    officer.get_by_role("link", name="Back to your concerns").click()
    heading(officer, "Your concerns")

    nothing_kept(watched, account_names=[OFFICER_NAME])


def test_a_line_manager_logs_a_fraud_concern_raised_by_telephone(window, watched):
    manager = UserFactory(roles=[Role.OFFICER], full_name="Lee Manager")
    auditor = UserFactory(roles=[Role.CHIEF_INTERNAL_AUDITOR], full_name="Stephen Mangan")
    investigator = UserFactory(roles=[Role.INVESTIGATING_OFFICER], full_name="Ann Smith")
    theirs = services.raise_concern(
        answers=services.Answers(
            ground="fraud",
            what_happened="Mileage claimed twice",
            public_interest=True,
            reporter_kind="permanent",
            under_policy=True,
        ),
    ).concern
    services.appoint_investigator(
        concern=theirs, investigator=investigator, version=theirs.version, actor=auditor
    )

    # The line manager logs what they were told on the telephone: anonymous, about fraud.
    logger = window(manager)
    logger.goto("/whistleblowing/")
    logger.get_by_role("link", name="log it for them").click()
    heading(logger, "Log a concern raised with you")
    accessible(logger)
    logger.get_by_role("button", name="Start now").click()
    heading(logger, "How was the concern raised with you?")
    accessible(logger)
    choose(logger, "By telephone")
    proceed(logger)
    answer_questions(
        logger,
        behalf=True,
        ground="Fraud or financial irregularity",
        what=LOGGED_WHAT,
        who=LOGGED_WHO,
        kind="Temporary employee",
    )
    expect(logger.locator(".govuk-summary-list")).to_contain_text("By telephone")
    send(logger, behalf=True)
    expect(logger.locator("main")).to_contain_text("The person’s receipt code")
    expect(logger.locator("main")).to_contain_text("Give this code to the person")
    code = logger.locator("#receipt-code").inner_text().strip()
    assert CODE.match(code), code
    concern = Concern.objects.exclude(pk=theirs.pk).get()
    assert concern.route == "chief_internal_auditor" and concern.logged_by == manager

    # Having logged it, they cannot open it: not with the code, not from their concerns.
    logger.goto("/whistleblowing/follow/")
    logger.get_by_label("Receipt code").fill(code)
    proceed(logger)
    expect(logger.locator(".govuk-error-summary")).to_contain_text(
        "You logged this concern for the person who raised it"
    )
    accessible(logger)
    logger.goto("/whistleblowing/your-concerns/")
    heading(logger, "Your concerns")
    expect(logger.locator("main")).not_to_contain_text(concern.reference)
    accessible(logger)
    assert logger.goto(f"/whistleblowing/your-concerns/{concern.pk}/").status == 404
    assert logger.goto(f"/whistleblowing/register/{concern.pk}/").status == 404

    # It reaches the Chief Internal Auditor, the clock running.
    audit = window(auditor)
    audit.goto("/")
    audit.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Whistleblowing register"
    ).click()
    row = audit.get_by_role("row", name=re.compile(concern.reference))
    expect(row).to_contain_text("Fraud or financial irregularity")
    expect(row).to_contain_text("Chief Internal Auditor")
    expect(row).to_contain_text("Acknowledgement due in 7 days")
    accessible(audit)
    row.get_by_role("link", name=concern.reference).click()
    heading(audit, concern.reference)
    expect(audit.locator("main")).to_contain_text("By telephone, logged by Lee Manager")
    expect(audit.locator("main")).to_contain_text(LOGGED_WHAT)
    accessible(audit)

    # An investigating officer (appointed to another fraud case) never sees it.
    looking = window(investigator)
    looking.goto("/whistleblowing/register/")
    expect(looking.locator(".govuk-table")).to_contain_text(theirs.reference)
    expect(looking.locator("main")).not_to_contain_text(concern.reference)
    accessible(looking)
    assert looking.goto(f"/whistleblowing/register/{concern.pk}/").status == 404

    # The person it was raised by follows it with the code handed to them.
    person = window()
    follow_with_code(person, code)
    heading(person, "Your concern")
    due = day(rules.acknowledge_by(today()))
    expect(person.locator("#status")).to_contain_text(
        f"We have received it. You will get a written acknowledgement by {due}"
    )
    expect(person.locator("main")).to_contain_text(LOGGED_WHAT)
    accessible(person)

    nothing_kept(watched, account_names=[])


def test_the_annual_report_reaches_the_clerk_on_an_audit_and_procurement_agenda(
    window, watched, tmp_path
):
    monitoring_officer = UserFactory(roles=[Role.MONITORING_OFFICER], full_name="Helen Lynch")
    clerk = UserFactory(roles=[Role.GOVERNANCE_SERVICES], full_name="Suzanne Bennett")
    this_year = rules.financial_year(today())[0]
    last_year = rules.financial_year(this_year - dt.timedelta(days=1))[0]
    for n in range(6):
        received = dt.datetime.combine(
            last_year + dt.timedelta(days=30 + 40 * n), dt.time(10), LONDON
        )
        raised = services.raise_concern(
            answers=services.Answers(
                ground="health_and_safety",
                what_happened=WHAT,
                where=WHERE,
                public_interest=True,
                reporter_kind="permanent",
                under_policy=True,
            ),
            now=received,
        ).concern
        acknowledged = services.acknowledge(
            concern=raised,
            summary=SUMMARY,
            version=ANY_VERSION,
            actor=monitoring_officer,
            now=received + dt.timedelta(days=3),
        )
        services.close(
            concern=acknowledged,
            outcome="substantiated",
            findings=FINDINGS,
            lessons=LESSONS,
            closing_message=CLOSING,
            version=ANY_VERSION,
            actor=monitoring_officer,
            now=received + dt.timedelta(days=20),
        )
    committee = OrganizationFactory(name=rules.REPORTED_TO)
    meeting = MeetingFactory(organizations=[committee])
    name = rules.financial_year_name(last_year)
    title = f"Whistleblowing Annual Report {name}"

    # The Monitoring Officer reads the report and puts it on the meeting's agenda.
    officer = window(monitoring_officer)
    officer.goto("/whistleblowing/register/")
    officer.get_by_role(
        "link", name="The annual report to the Audit and Procurement Committee"
    ).click()
    heading(officer, title)
    expect(officer.locator("main")).to_contain_text("Concerns received: 6.")
    expect(officer.locator("main")).to_contain_text(LESSONS)
    accessible(officer)
    press(officer, "Put it on the agenda of a meeting")
    heading(officer, "Choose the meeting of the Audit and Procurement Committee")
    accessible(officer)
    officer.get_by_label(re.compile(re.escape(full_day(meeting.start)))).check()
    press(officer, "Put the report on this agenda")
    succeeded(officer, "The annual report is on the agenda of the")

    # The clerk finds the new item on the meeting's agenda, with its report and PDF.
    item = AgendaItem.objects.get(meeting=meeting)
    paper = Paper.objects.get()
    governance = window(clerk)
    governance.goto("/manage/")
    heading(governance, "Manage meetings")
    accessible(governance)
    upcoming = governance.get_by_role("row", name=re.compile(re.escape(day(meeting.start))))
    expect(upcoming).to_contain_text(rules.REPORTED_TO)
    upcoming.get_by_role("link", name=rules.REPORTED_TO).click()
    heading(governance, rules.REPORTED_TO)
    card = governance.locator(f"#item-{item.pk}")
    expect(card).to_contain_text(title)
    accessible(governance)
    card.get_by_role("link", name=title).click()
    heading(governance, title)
    accessible(governance)
    with governance.expect_download() as download:
        governance.get_by_role(
            "link", name=re.compile(r"^whistleblowing-annual-report-\S+\.pdf")
        ).click()
    saved = tmp_path / "annual-report.pdf"
    download.value.save_as(saved)
    text = " ".join(page.extract_text() for page in PdfReader(saved).pages)
    assert "Whistleblowing Annual Report" in " ".join(text.split())
    assert held(text) == []
    assert paper.documents.get().mime_type == "application/pdf"

    nothing_kept(watched, account_names=[])
