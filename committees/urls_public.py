from django.urls import path

from committees import feeds, views_public

app_name = "committees"

urlpatterns = [
    path("meetings/", views_public.meetings, name="meetings"),
    path("meetings/<int:year>/<int:month>/", views_public.month, name="calendar"),
    path("meetings/<int:pk>/", views_public.meeting, name="meeting"),
    path("meetings/<int:pk>/agenda-pack.pdf", views_public.meeting_pack, name="meeting_pack"),
    path("meetings/<int:pk>/meeting.ics", feeds.meeting_ics, name="meeting_ics"),
    path("meetings.ics", feeds.meetings_ics, name="meetings_ics"),
    path("committees/", views_public.committee_list, name="committee_list"),
    path("committees/<slug:slug>/", views_public.committee, name="committee"),
    path("committees/<slug:slug>/meetings.ics", feeds.committee_ics, name="committee_ics"),
    path("committees/<slug:slug>/papers.atom", feeds.committee_atom, name="committee_atom"),
    path("councillors/", views_public.councillors, name="councillors"),
    path("councillors/<slug:slug>/", views_public.councillor, name="councillor"),
    path("reports.atom", feeds.papers_atom, name="papers_atom"),
    path("reports/<int:pk>/", views_public.report, name="report"),
    path("documents/<int:pk>/", views_public.document, name="document"),
    path("decisions/", views_public.decisions, name="decisions"),
    path("decisions/<int:pk>/", views_public.decision, name="decision"),
    path("forward-plan/", views_public.forward_plan, name="forward_plan"),
    path("search/", views_public.search, name="search"),
]
