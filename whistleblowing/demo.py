"""Whistleblowing concerns for the demo, dated from the day of loading so the clocks read as
they would that day: one in every state (new and due, new and due soon, acknowledgement
overdue, acknowledged on time, under investigation, referred under another procedure,
closed), named and anonymous, a fraud concern with the Chief Internal Auditor, messages both
ways, a meeting with the reporter, files, and a complaint of detriment; and last year's
concerns, concluded with their lessons learned, for the annual report. Loaded by
`manage.py load_demo` after the committees' demo, through the services with an injected
clock, by the demo accounts of the roles (organisation/demo.py, which gives the privileged
ones the demo's second factor): the Monitoring Officer keeps the register, the Chief
Internal Auditor has the fraud concern, the investigating officer two cases, and the
ordinary officer raised two named concerns and the complaint of detriment.

`load()` returns what `load_demo` prints: among it one anonymous receipt code to try. The
code is made here, printed and forgotten; only its hash is kept, as for every code. Each
load gives the demo's anonymous concern a new code (the last one stops working), and, like
the committees' upcoming meetings, raises new concerns when none is still within its
7 days, so the clocks show due and due soon whenever the demo is started.

For the annual report the demo also makes sure the Audit and Procurement Committee has a
meeting to come whose agenda is still a draft (the committees' demo publishes the agenda of
its next one, which takes a new report only with its approvals): at 5pm on the day of the
committees' demo's last upcoming meeting (six weeks on, at 2pm), so it passes with theirs
and never keeps them from being made again.
"""

import dataclasses
import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from committees import rules as committee_rules
from committees import services as committee_services
from committees.documents import render_text_pdf
from committees.queries import public as committee_queries
from organisation.demo import demo_email
from organisation.models import User
from organisation.roles import Role
from portal_kit.models import ANY_VERSION
from portal_kit.time import LONDON
from whistleblowing import queries, receipts, rules, services
from whistleblowing.models import Concern, EntryKind, Outcome

REPORT = EntryKind.REPORT

#: The words of the demo's anonymous concern whose code `load_demo` prints: how the demo
#: finds it again to give it a new code.
TRY_WHAT_HAPPENED = (
    "Cash taken for room bookings and events at the Central Library is kept in a drawer for "
    "weeks before it is banked, and the takings book does not match what is banked. Last "
    "month about £400 was missing and the book was rewritten."
)


@dataclasses.dataclass(frozen=True)
class Loaded:
    """What the demo made, and the lines `load_demo` prints. The receipt code is in the
    lines only: printed once, and gone with this object."""

    concerns: int
    printed: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class People:
    monitoring_officer: User
    chief_internal_auditor: User
    investigator: User
    officer: User


def _people() -> People:
    users = User.objects.in_bulk(
        [
            demo_email(role)
            for role in (
                Role.MONITORING_OFFICER,
                Role.CHIEF_INTERNAL_AUDITOR,
                Role.INVESTIGATING_OFFICER,
                Role.OFFICER,
            )
        ],
        field_name="email",
    )
    return People(
        monitoring_officer=users[demo_email(Role.MONITORING_OFFICER)],
        chief_internal_auditor=users[demo_email(Role.CHIEF_INTERNAL_AUDITOR)],
        investigator=users[demo_email(Role.INVESTIGATING_OFFICER)],
        officer=users[demo_email(Role.OFFICER)],
    )


class Clock:
    """Moments counted back from the day of loading, in London."""

    def __init__(self, now: dt.datetime):
        self.now = now
        self.today = now.astimezone(LONDON).date()

    def ago(self, days: int, hour: int = 10, minute: int = 0) -> dt.datetime:
        day = self.today - dt.timedelta(days=days)
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)

    def day(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)


def _pdf(name: str, title: str, lines: list[str]) -> services.Evidence:
    return services.Evidence(name, "application/pdf", render_text_pdf(title, lines))


def _answers(ground: str, what_happened: str, **more) -> services.Answers:
    return services.Answers(
        ground=ground,
        what_happened=what_happened,
        public_interest=True,
        under_policy=True,
        reporter_kind=more.pop("reporter_kind", "permanent"),
        anonymous=more.pop("anonymous", True),
        **more,
    )


def _named_by(officer: User, **more) -> dict:
    return {
        "anonymous": False,
        "name": officer.full_name or "Demo Officer",
        "contact": officer.email,
        **more,
    }


@transaction.atomic
def load(*, now: dt.datetime | None = None) -> Loaded:
    clock = Clock(now or timezone.now())
    people = _people()
    lines = []
    if not Concern.objects.exists():
        code = _this_year(clock, people)
        _last_year(clock, people)
    else:
        code = _new_code()
        _keep_the_clocks(clock)
    _report_meeting(clock)
    if code:
        follow = reverse("whistleblowing:follow")
        lines.append(
            f"Whistleblowing: an anonymous concern to follow up at {follow} with the receipt "
            f"code {receipts.shown(code)} (a new one each load)"
        )
    lines.append(
        f"  {people.officer.email} raised named concerns; {people.investigator.email} "
        f"investigates two; {people.chief_internal_auditor.email} has the fraud concern; "
        f"{people.monitoring_officer.email} keeps the register and the annual report"
    )
    return Loaded(concerns=Concern.objects.count(), printed=tuple(lines))


def _new_code() -> str | None:
    """A new code for the demo's anonymous concern (found by its words), if it is still
    there to follow."""
    followed = Concern.objects.filter(
        anonymous=True, receipt_hash__isnull=False, content_erased_at__isnull=True
    ).order_by("pk")
    for concern in followed:
        report = next(
            (e for e in queries.timeline(concern, reporter_view=True) if e.entry.kind == REPORT),
            None,
        )
        if report and report.content.get("what_happened") == TRY_WHAT_HAPPENED:
            return services.replace_receipt_code(concern=concern, actor=services.SCRIPT)
    return None


def _keep_the_clocks(clock: Clock) -> None:
    """While no concern waits for its acknowledgement within its 7 days (the demo was loaded
    over a week ago), two more arrive: one yesterday, one six days ago."""
    if (
        Concern.objects.open()
        .filter(acknowledged_at__isnull=True, acknowledge_due__gte=clock.today)
        .exists()
    ):
        return
    _raise_new_ones(clock)


def _raise_new_ones(clock: Clock) -> None:
    services.raise_concern(
        answers=_answers(
            "health_and_safety",
            "The fire doors on the first floor of the Whitley depot workshop are wedged open "
            "every morning, and the fire alarm panel has shown a fault light for three weeks. "
            "We have been told not to report it because the contractor is booked.",
            when="Every morning since the start of last month",
            where="Whitley depot, first floor workshop",
            who="The workshop supervisor",
            raised_before=("supervisor",),
            reporter_kind="agency",
        ),
        now=clock.ago(1, 9, 40),
    )
    services.raise_concern(
        answers=_answers(
            "legal_obligation",
            "Agency staff in Parking Services are required to attend a briefing before every "
            "shift that is not paid. Counting the briefings, some are paid less than the "
            "national minimum wage.",
            when="Since the new rota in January",
            where="Parking Services, Tower Street",
            who="The parking operations manager",
            reporter_kind="agency",
        ),
        files=[
            _pdf(
                "Rota for March.pdf",
                "Parking Services rota: March",
                ["Briefing 07:30 to 08:00 (unpaid) before every early shift."] * 4,
            )
        ],
        now=clock.ago(6, 16, 5),
    )


def _this_year(clock: Clock, people: People) -> str:
    """The concerns of the last few months, one in each state. Returns the code of the
    anonymous one to try."""
    mo, cia, io, officer = (
        people.monitoring_officer,
        people.chief_internal_auditor,
        people.investigator,
        people.officer,
    )
    _raise_new_ones(clock)  # new: due, and due soon

    # Acknowledgement overdue: raised anonymously ten days ago, with more information since.
    tipping = services.raise_concern(
        answers=_answers(
            "environment",
            "At weekends, waste from the highways depot yard (old road planings and oil drums) "
            "is tipped over the back fence into the brook.",
            when="Most weekends since March",
            where="The highways depot, behind the salt barn",
            evidence="I have photographs with the dates on",
        ),
        now=clock.ago(10, 19, 20),
    ).concern
    services.add_information(
        concern=tipping,
        text="It happened again last Saturday night. The brook was oily on Sunday morning. "
        "The photographs are attached.",
        files=[
            _pdf(
                "Photographs of the brook.pdf",
                "Photographs of the brook",
                [
                    "Saturday, 23:40: drums going over the fence.",
                    "Sunday, 07:10: oil on the water.",
                ],
            )
        ],
        now=clock.ago(8, 8, 15),
    )

    # Acknowledged on time, a question and the reporter's answer: the code printed.
    library = services.raise_concern(
        answers=_answers(
            "criminal_offence",
            TRY_WHAT_HAPPENED,
            when="For about six months",
            where="Central Library, events desk",
            who="The person who does the banking",
            raised_before=("line_manager",),
            raised_before_details="My line manager said it was an admin error",
        ),
        now=clock.ago(20, 13, 10),
    )
    concern = services.acknowledge(
        concern=library.concern,
        summary="Cash taken at the Central Library's events desk is not banked promptly and "
        "the takings book does not match the bankings.",
        message="Thank you for raising this. We will look at the bankings and the takings "
        "book, and may have questions for you here.",
        version=ANY_VERSION,
        actor=mo,
        now=clock.ago(17, 11),
    )
    services.message_reporter(
        concern=concern,
        text="Can you tell us roughly which weeks the book was rewritten, and whether anyone "
        "else works on the events desk?",
        actor=mo,
        now=clock.ago(14, 15, 30),
    )
    services.add_information(
        concern=concern,
        text="The pages for the second and third weeks of last month. Two of us cover the "
        "desk, on different days.",
        now=clock.ago(12, 21, 5),
    )

    # Under investigation: named, followed with a code (a contractor without an account
    # here), a meeting away from the workplace with a companion, a note with evidence.
    asbestos = services.raise_concern(
        answers=_answers(
            "health_and_safety",
            "The refurbishment of Foleshill community centre started without the asbestos "
            "survey the design says is needed. Ceiling tiles were removed without any "
            "precautions.",
            when="The first week of the works",
            where="Foleshill community centre",
            who="The site manager and the council's project officer",
            reporter_kind="contractor",
            anonymous=False,
            name="Chris Morgan",
            contact="07700 900123",
        ),
        now=clock.ago(45, 10, 30),
    ).concern
    asbestos = services.acknowledge(
        concern=asbestos,
        summary="Works at Foleshill community centre began without the asbestos survey.",
        version=ANY_VERSION,
        actor=mo,
        now=clock.ago(43, 9),
    )
    asbestos = services.appoint_investigator(
        concern=asbestos, investigator=io, version=ANY_VERSION, actor=mo, now=clock.ago(43, 9, 5)
    )
    asbestos = services.triage(
        concern=asbestos,
        decision="investigate",
        reason="A specific, checkable account of a danger to health; the works continue.",
        version=ANY_VERSION,
        actor=mo,
        now=clock.ago(43, 9, 10),
    )
    meeting = services.record_meeting(
        concern=asbestos,
        details=services.MeetingDetails(
            on=clock.day(30),
            at=dt.time(17, 30),
            place="Meeting room 3, Coventry Central Library",
            away_from_workplace=True,
            companion="A Unite representative",
            note="Went through the timeline of the works and who gave the instruction to "
            "start. The reporter will send the site diary pages if they can.",
        ),
        version=ANY_VERSION,
        actor=io,
        now=clock.ago(30, 19),
    )
    services.comment_on_meeting(
        concern=asbestos,
        meeting=meeting,
        text="That is right, except the instruction came by phone, not e-mail.",
        now=clock.ago(28, 12),
    )
    services.add_note(
        concern=asbestos,
        text="The survey register has no entry for the building; the design file asks for "
        "a refurbishment survey before any ceiling work.",
        files=[
            _pdf(
                "Survey register extract.pdf",
                "Asbestos survey register (extract)",
                ["Foleshill community centre: no refurbishment survey recorded."],
            )
        ],
        actor=io,
        now=clock.ago(20, 14),
    )
    services.message_reporter(
        concern=asbestos,
        text="We have stopped the ceiling works until a survey is done. The investigation "
        "goes on; we will tell you when it is complete.",
        actor=io,
        now=clock.ago(10, 16),
    )

    # Referred: dealt with under the safeguarding procedure (policy 5), the reporter told.
    care = services.raise_concern(
        answers=_answers(
            "health_and_safety",
            "A resident at a council care home was left without their medication over a "
            "weekend because the night staff could not open the new medicine trolley.",
            when="The bank holiday weekend",
            where="A council care home in the east of the city",
        ),
        now=clock.ago(60, 22, 40),
    ).concern
    care = services.acknowledge(
        concern=care,
        summary="A resident was left without medication over a weekend.",
        version=ANY_VERSION,
        actor=mo,
        now=clock.ago(55, 10),
    )
    services.triage(
        concern=care,
        decision="other_procedure",
        other_procedure="safeguarding",
        reason="A resident at risk: the adults' safeguarding team must lead.",
        version=ANY_VERSION,
        actor=mo,
        now=clock.ago(55, 10, 20),
    )

    # Fraud: with the Chief Internal Auditor, who acknowledges and investigates.
    fuel = services.raise_concern(
        answers=_answers(
            "fraud",
            "The fuel cards for the pool cars are used to fill private cars at weekends. The "
            "statements show fuel bought on Saturdays when no pool car was booked.",
            when="Most weekends",
            where="Pool cars kept at the Council House car park",
            who="Two drivers who hold the cards",
            evidence="The fuel card statement for last month",
        ),
        files=[
            _pdf(
                "Fuel card statement.pdf",
                "Fuel card statement",
                ["Saturday: 45.2 litres, card 3", "Sunday: 38.0 litres, card 3"],
            )
        ],
        now=clock.ago(15, 11, 45),
    ).concern
    fuel = services.acknowledge(
        concern=fuel,
        summary="Pool car fuel cards used for private cars at weekends.",
        version=ANY_VERSION,
        actor=cia,
        now=clock.ago(11, 10),
    )
    fuel = services.appoint_investigator(
        concern=fuel, investigator=cia, version=ANY_VERSION, actor=cia, now=clock.ago(11, 10, 5)
    )
    services.triage(
        concern=fuel,
        decision="investigate",
        reason="The statements can be matched against the pool car bookings.",
        version=ANY_VERSION,
        actor=cia,
        now=clock.ago(11, 10, 10),
    )

    # Closed: named, by the ordinary officer signed in, with its outcome and lessons.
    enforcement = services.raise_concern(
        answers=_answers(
            "legal_obligation",
            "Planning enforcement complaints are being closed without a site visit so that "
            "the team meets its monthly target for cases closed.",
            when="Since the target was introduced",
            where="Planning enforcement team",
            **_named_by(officer),
        ),
        reporter=officer,
        now=clock.ago(120, 9, 15),
    ).concern
    enforcement = services.acknowledge(
        concern=enforcement,
        summary="Enforcement complaints closed without site visits to meet a target.",
        version=ANY_VERSION,
        actor=mo,
        now=clock.ago(116, 14),
    )
    enforcement = services.appoint_investigator(
        concern=enforcement, investigator=io, version=ANY_VERSION, actor=mo, now=clock.ago(116)
    )
    enforcement = services.triage(
        concern=enforcement,
        decision="investigate",
        reason="Can be checked against the case records.",
        version=ANY_VERSION,
        actor=mo,
        now=clock.ago(116, 14, 30),
    )
    services.add_note(
        concern=enforcement,
        text="A sample of 40 closed cases: 11 closed without a visit or a recorded reason.",
        actor=io,
        now=clock.ago(80, 11),
    )
    enforcement = services.close(
        concern=enforcement,
        outcome=Outcome.PARTLY_SUBSTANTIATED,
        findings="Some cases were closed without a visit; no instruction to do so was found.",
        lessons="Targets for closing enforcement cases should count the site visits made, "
        "not only the cases closed.",
        closing_message="Thank you. The investigation is complete: your concern was partly "
        "upheld and the team's targets and procedures are being changed.",
        version=ANY_VERSION,
        actor=mo,
        now=clock.ago(30, 15),
    )

    # A complaint of detriment after that concern (policy 23 and 25), acknowledged.
    detriment = services.raise_concern(
        answers=_answers(
            "legal_obligation",
            "Since my concern about enforcement cases I have been left off the team's "
            "overtime rota and moved to the evening shift without being asked.",
            when="The last three weeks",
            where="Planning enforcement team",
            **_named_by(officer),
        ),
        reporter=officer,
        detriment_of=enforcement,
        now=clock.ago(12, 18, 30),
    ).concern
    services.acknowledge(
        concern=detriment,
        summary="A complaint of detriment after an earlier concern.",
        message="The council does not tolerate victimisation (policy 25). We will look into "
        "this straight away.",
        version=ANY_VERSION,
        actor=mo,
        now=clock.ago(10, 9, 30),
    )
    return library.receipt_code


#: Last year's concerns, for the annual report: (ground, anonymous, days after 1 April it was
#: raised, days to acknowledge, days to close or None, outcome, lessons).
LAST_YEAR = (
    ("criminal_offence", True, 20, 3, 60, Outcome.SUBSTANTIATED,
     "Cash handling at sites away from the main offices needs the same two-person rule."),
    ("health_and_safety", False, 45, 5, 40, Outcome.SUBSTANTIATED,
     "Depot risk assessments should be reviewed whenever a team changes its working hours."),
    ("legal_obligation", False, 90, 2, 75, Outcome.NOT_SUBSTANTIATED,
     "Agency workers should be told at induction how to raise a concern, as employees are."),
    ("fraud", True, 130, 6, 120, Outcome.SUBSTANTIATED,
     "Orders just under the tender threshold should be checked for contracts split in two."),
    ("environment", True, 170, 9, 50, Outcome.PARTLY_SUBSTANTIATED,
     "Managers told of a concern should pass it to the Monitoring Officer within the week."),
    ("health_and_safety", True, 200, 4, 30, Outcome.NO_FURTHER_ACTION, ""),
    ("concealment", False, 260, 11, None, None, ""),
    ("not_sure", True, 300, 3, 20, Outcome.DEALT_WITH_ELSEWHERE,
     "Managers told of a concern should pass it to the Monitoring Officer within the week."),
)  # fmt: skip


NAMED_BY_TELEPHONE = {"anonymous": False, "name": "A member of staff", "contact": "By telephone"}


def _last_year(clock: Clock, people: People) -> None:
    """The last council year's concerns (1 April to 31 March), all acknowledged and most
    concluded, so the annual report has something to say."""
    start = rules.financial_year(rules.financial_year(clock.today)[0] - dt.timedelta(days=1))[0]
    for ground, anonymous, after, acknowledge_in, close_in, outcome, lessons in LAST_YEAR:
        received = dt.datetime.combine(start + dt.timedelta(days=after), dt.time(11), tzinfo=LONDON)
        handler = (
            people.chief_internal_auditor if ground == rules.FRAUD else people.monitoring_officer
        )
        concern = services.raise_concern(
            answers=_answers(
                ground,
                "A concern raised last year (demo data).",
                **({} if anonymous else NAMED_BY_TELEPHONE),
            ),
            now=received,
        ).concern
        concern = services.acknowledge(
            concern=concern,
            summary="A concern raised last year.",
            version=ANY_VERSION,
            actor=handler,
            now=received + dt.timedelta(days=acknowledge_in),
        )
        if close_in is None:
            services.triage(
                concern=concern,
                decision="investigate",
                reason="Under investigation.",
                version=ANY_VERSION,
                actor=handler,
                now=received + dt.timedelta(days=acknowledge_in),
            )
            continue
        services.close(
            concern=concern,
            outcome=outcome,
            findings="The findings of the investigation.",
            lessons=lessons,
            closing_message="The process under the Whistleblowing Policy is complete.",
            version=ANY_VERSION,
            actor=handler,
            now=received + dt.timedelta(days=close_in),
        )


def _report_meeting(clock: Clock) -> None:
    """A meeting of the Audit and Procurement Committee to come whose agenda is a draft, for
    the annual report to go on (see the module's docstring)."""
    meetings = list(services.report_meetings(now=clock.now).select_related("location"))
    if any(m.agenda_published_at is None for m in meetings):
        return
    committee = committee_queries.committees().filter(name=rules.REPORTED_TO).first()
    if committee is None:
        return
    day = clock.today + dt.timedelta(weeks=6)
    while not committee_rules.is_working_day(day):
        day += dt.timedelta(days=1)
    start = dt.datetime.combine(day, dt.time(17), tzinfo=LONDON)
    earlier = meetings[0] if meetings else None
    meeting = committee_services.create_meeting(
        organizations=[committee],
        start=start,
        end=start + dt.timedelta(hours=2),
        location=earlier.location if earlier else None,
        contact_officer=earlier.contact_officer if earlier else None,
        actor=committee_services.SCRIPT,
        now=clock.now,
    )
    for title in ("Apologies", "Declarations of Interest"):
        committee_services.add_agenda_item(
            meeting=meeting,
            details=committee_services.AgendaItemDetails(title=title),
            actor=committee_services.SCRIPT,
        )
