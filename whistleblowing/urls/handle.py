"""The register and the cases, under /whistleblowing/register/."""

from django.urls import path

from whistleblowing.views import handle as views

app_name = "concerns"

urlpatterns = [
    path("", views.register, name="register"),
    path("export.csv", views.export, name="export"),
    path("<int:pk>/", views.case, name="case"),
    path("<int:pk>/openings/", views.openings, name="openings"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:pk>/appoint/", views.appoint, name="appoint"),
    path("<int:pk>/pass-on/", views.reroute, name="reroute"),
    path("<int:pk>/triage/", views.triage, name="triage"),
    path("<int:pk>/meeting/", views.meeting, name="meeting"),
    path("<int:pk>/note/", views.note, name="note"),
    path("<int:pk>/message/", views.message, name="message"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("files/<int:pk>/", views.file, name="file"),
]

# The Monitoring Officer's annual report to the Audit and Procurement Committee (policy 29).
from whistleblowing.views import annual_report  # noqa: E402

urlpatterns += [
    path("annual-report/", annual_report.preview, name="annual_report"),
    path("annual-report/<int:year>/place/", annual_report.place, name="annual_report_place"),
    path("annual-report/<int:year>/report.pdf", annual_report.pdf, name="annual_report_pdf"),
]
