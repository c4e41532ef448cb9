"""Raising and following a concern, under /whistleblowing/."""

from django.urls import path  # noqa: F401

app_name = "whistleblowing"

urlpatterns = []
