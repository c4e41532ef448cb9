"""The Monitoring Officer's annual report to the Audit and Procurement Committee (policy 29):
a preview of what the committee will read, its PDF, and the page that puts it on a chosen
meeting's agenda (services.place_annual_report). The Monitoring Officer's alone
(ConcernAction.REPORT); every showing of it unseals the lessons learned, so each is logged as
an opening of the annual report."""

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from organisation.access import require
from portal_kit.templatetags.portal_kit import full_day
from portal_kit.time import LONDON
from portal_kit.views import form_view, posted
from whistleblowing import queries, report_pdf, rules, services
from whistleblowing.forms.annual_report import PlaceReportForm, YearForm
from whistleblowing.models import OpeningKind
from whistleblowing.policies import ConcernAction
from whistleblowing.policies import concerns as policy

reporting = require(policy, ConcernAction.REPORT)
#: Years offered, newest first: the council keeps concerns' counts, so reports go far back.
YEARS_OFFERED = 20


def _today() -> dt.date:
    return timezone.now().astimezone(LONDON).date()


def _years(today: dt.date) -> list[int]:
    """The years that have begun, newest first."""
    current = rules.financial_year(today)[0].year
    return list(range(current, current - YEARS_OFFERED, -1))


def _year_or_404(year: int, today: dt.date) -> dt.date:
    from django.http import Http404

    if year not in _years(today):
        raise Http404
    return dt.date(year, 4, 1)


def _opened(request) -> None:
    services.record_opening(concern=None, reader=request.user, kind=OpeningKind.REPORT)


@reporting
@require_safe
def preview(request):
    """The report as the committee will read it, for the year chosen (by default the last
    year that has ended)."""
    today = _today()
    years = _years(today)
    form = YearForm(request.GET or None, years=years)
    year = form.cleaned_data["year"] if form.is_bound and form.is_valid() else years[1]
    if not form.is_bound or not form.is_valid():
        form = YearForm(initial={"year": year}, years=years)
    report = queries.annual_report(dt.date(year, 4, 1), today=today)
    _opened(request)
    return render(
        request,
        "whistleblowing/annual_report/preview.html",
        {
            "year_form": form,
            "year": year,
            "report": report,
            "purpose": report_pdf.purpose(report),
            "summary": report_pdf.summary_lines(report),
            "recommendation": report_pdf.RECOMMENDATION,
            "committee": rules.REPORTED_TO,
        },
    )


@reporting
@require_safe
def pdf(request, year):
    today = _today()
    report = queries.annual_report(_year_or_404(year, today), today=today)
    _opened(request)
    response = HttpResponse(report_pdf.render(report), content_type="application/pdf")
    name = f"whistleblowing-annual-report-{report.year_name.replace('/', '-')}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@reporting
@require_http_methods(["GET", "POST"])
def place(request, year):
    """Choose the Audit and Procurement Committee meeting whose agenda takes the report."""
    today = _today()
    year_start = _year_or_404(year, today)
    meetings = services.report_meetings()
    return form_view(
        request,
        PlaceReportForm(posted(request), meetings=meetings),
        template="whistleblowing/annual_report/place.html",
        act=lambda data: services.place_annual_report(
            year_start=year_start, meeting=data["meeting"], actor=request.user
        ),
        done=lambda placed: (
            f"The annual report is on the agenda of the {placed.item.meeting.title} on "
            f"{full_day(placed.item.meeting.start)}, item {placed.item.full_number}. "
            "Governance Services publish it with the agenda.",
            f"{reverse('concerns:annual_report')}?year={year}",
        ),
        year=year,
        year_name=rules.financial_year_name(year_start),
        committee=rules.REPORTED_TO,
        has_meetings=meetings.exists(),
    )
