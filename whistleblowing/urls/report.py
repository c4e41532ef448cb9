"""Raising and following a concern, under /whistleblowing/.

Each question has its own address (raise/<question>/ for a reporter, log/<question>/ for an
officer logging a concern raised with them), named after it (`raise_ground`, `log_ground`),
so each page is a page of its own for the permission matrix and the hostile-input walk. The
case a reporter follows is never in an address: their session names it."""

from django.urls import path

from whistleblowing.forms.report import BEHALF_STEPS, REPORT_STEPS
from whistleblowing.views import report as views

app_name = "whistleblowing"

urlpatterns = [
    path("", views.start, name="start"),
    path("raise/grievance/", views.grievance, name="grievance"),
    path("raise/school/", views.school, name="school"),
    path("raise/start-again/", views.start_again, name="start_again"),
    *[
        path(f"raise/{step.slug}/", views.question, {"step": step.name}, name=f"raise_{step.name}")
        for step in REPORT_STEPS
    ],
    path("log/", views.log_start, name="log_start"),
    *[
        path(f"log/{step.slug}/", views.log_question, {"step": step.name}, name=f"log_{step.name}")
        for step in BEHALF_STEPS
    ],
    path("follow/", views.follow, name="follow"),
    path("case/", views.case, name="case"),
    path("case/reply/", views.case_reply, name="case_reply"),
    path("case/comment/", views.case_comment, name="case_comment"),
    path("case/detriment/", views.case_detriment, name="case_detriment"),
    path("case/sign-out/", views.case_sign_out, name="case_sign_out"),
    path("your-concerns/", views.my_concerns, name="my_concerns"),
    path("your-concerns/<int:pk>/", views.my_concern, name="my_concern"),
]
