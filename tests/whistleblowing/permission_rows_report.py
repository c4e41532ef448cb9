"""Raising and following a concern (whistleblowing/views/report.py).

- Raising is open to everyone, signed in or not: the start page, every question (a GET
  starts a fresh draft), check your answers, and the pages that send people elsewhere.
- Logging a concern on someone's behalf (policy 12) needs any signed-in account.
- The case page and its forms follow the case this session was let into (by receipt code, or
  from "Your concerns"): without one, everybody is sent to enter a code (302); the forms take
  POST only (405). A named concern opened from "Your concerns" by anyone but its reporter is
  the same 404 as one that does not exist (tests/whistleblowing/test_report_following.py has
  the reporter's own way in).
"""

from tests.permissions import outcome, signed_in_only
from whistleblowing import services
from whistleblowing.forms.report import BEHALF_STEPS, REPORT_STEPS


def _someone_elses_concern():
    from tests.factories import UserFactory

    raised = services.raise_concern(
        answers=services.Answers(
            ground="criminal_offence",
            what_happened="Someone else's concern",
            public_interest=True,
            reporter_kind="permanent",
            anonymous=False,
            name="A Reporter",
            contact="reporter@council.example",
            under_policy=True,
        ),
        reporter=UserFactory(),
    )
    return {"pk": raised.concern.pk}


ROWS = {
    "whistleblowing:start": (None, outcome(200)),
    "whistleblowing:grievance": (None, outcome(200)),
    "whistleblowing:school": (None, outcome(200)),
    "whistleblowing:start_again": (None, outcome(200)),
    **{f"whistleblowing:raise_{step.name}": (None, outcome(200)) for step in REPORT_STEPS},
    "whistleblowing:log_start": (None, signed_in_only()),
    **{f"whistleblowing:log_{step.name}": (None, signed_in_only()) for step in BEHALF_STEPS},
    "whistleblowing:follow": (None, outcome(200)),
    "whistleblowing:case": (None, outcome(302)),
    "whistleblowing:case_detriment": (None, outcome(302)),
    "whistleblowing:case_reply": (None, outcome(405)),
    "whistleblowing:case_comment": (None, outcome(405)),
    "whistleblowing:case_sign_out": (None, outcome(405)),
    "whistleblowing:my_concerns": (None, signed_in_only()),
    "whistleblowing:my_concern": (_someone_elses_concern, signed_in_only(404)),
}
