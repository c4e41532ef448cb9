"""Governance Services' own pages, under /manage/."""

from django.urls import path

from committees.views import manage as views

app_name = "manage"

urlpatterns = [
    path("", views.meetings, name="meetings"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/reschedule/", views.meeting_reschedule, name="meeting_reschedule"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/publish/", views.meeting_publish, name="meeting_publish"),
    path("meetings/<int:pk>/pack/", views.pack_status, name="pack_status"),
    path("meetings/<int:pk>/pack/rebuild/", views.pack_rebuild, name="pack_rebuild"),
    path("meetings/<int:pk>/agenda-pack.pdf", views.pack_download, name="pack_download"),
    path("meetings/<int:pk>/history/", views.meeting_history, name="meeting_history"),
    path("meetings/<int:pk>/items/new/", views.item_add, name="item_add"),
    path(
        "meetings/<int:pk>/items/<int:parent_pk>/sub-items/new/",
        views.item_add,
        name="sub_item_add",
    ),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/move/", views.item_move, name="item_move"),
    path("items/<int:pk>/remove/", views.item_remove, name="item_remove"),
    path("items/<int:pk>/reports/attach/", views.item_attach_report, name="item_attach_report"),
    path("items/<int:pk>/minute/", views.item_minute, name="item_minute"),
    path("items/<int:pk>/history/", views.item_history, name="item_history"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/minutes/attendance/", views.attendance, name="attendance"),
    path(
        "meetings/<int:pk>/minutes/declarations/new/",
        views.declaration_add,
        name="declaration_add",
    ),
    path("meetings/<int:pk>/minutes/publish/", views.minutes_publish, name="minutes_publish"),
    path("meetings/<int:pk>/minutes/approve/", views.minutes_approve, name="minutes_approve"),
    path("meetings/<int:pk>/minutes/correct/", views.minutes_correct, name="minutes_correct"),
    path("outstanding-issues/", views.outstanding_issues, name="outstanding_issues"),
    path("outstanding-issues/<int:pk>/close/", views.issue_close, name="issue_close"),
    path("reports/", views.reports, name="reports"),
    path("reports/new/", views.report_create, name="report_create"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/documents/new/", views.report_upload, name="report_upload"),
    path("reports/<int:pk>/sign-offs/new/", views.report_sign_off, name="report_sign_off"),
    path("reports/<int:pk>/history/", views.report_history, name="report_history"),
    path("sign-offs/<int:pk>/edit/", views.sign_off_edit, name="sign_off_edit"),
    path("sign-offs/<int:pk>/withdraw/", views.sign_off_withdraw, name="sign_off_withdraw"),
    path("sign-offs/<int:pk>/history/", views.sign_off_history, name="sign_off_history"),
    path("documents/<int:pk>/replace/", views.document_replace, name="document_replace"),
    path("documents/<int:pk>/withdraw/", views.document_withdraw, name="document_withdraw"),
    path("documents/<int:pk>/history/", views.document_history, name="document_history"),
    path("private-papers/openings/", views.private_openings, name="private_openings"),
    path("decisions/", views.decisions, name="decisions"),
    path("decisions/new/", views.decision_create, name="decision_create"),
    path("forward-plan/new/", views.forward_plan_create, name="forward_plan_create"),
]
