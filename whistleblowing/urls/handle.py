"""The register and the cases, under /whistleblowing/register/."""

from django.urls import path

app_name = "concerns"

urlpatterns = []

# The Monitoring Officer's annual report to the Audit and Procurement Committee (policy 29).
from whistleblowing.views import annual_report  # noqa: E402

urlpatterns += [
    path("annual-report/", annual_report.preview, name="annual_report"),
    path("annual-report/<int:year>/place/", annual_report.place, name="annual_report_place"),
    path("annual-report/<int:year>/report.pdf", annual_report.pdf, name="annual_report_pdf"),
]
