"""The annual report to the Audit and Procurement Committee (whistleblowing/views/
annual_report.py): the Monitoring Officer's alone. Everyone else signed in gets the
register's 404 (ConcernPolicy hides existence), anonymous visitors are sent to sign in."""

from django.utils import timezone

from organisation.roles import Role
from tests.permissions import roles_only
from whistleblowing import rules

MO = [Role.MONITORING_OFFICER]


def _year():
    return {"year": rules.financial_year(timezone.localdate())[0].year - 1}


ROWS = {
    "concerns:annual_report": (None, roles_only(MO, others=404)),
    "concerns:annual_report_place": (_year, roles_only(MO, others=404)),
    "concerns:annual_report_pdf": (_year, roles_only(MO, others=404)),
}
