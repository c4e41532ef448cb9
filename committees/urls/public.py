from django.urls import path

from committees.views import alerts as views_alerts
from committees.views import feeds
from committees.views import public as views_public
from governance_portal.pagecache import anonymous_page as cached

app_name = "committees"

# Every page and feed here is served from the page cache to visitors who are not signed in;
# file downloads stream from storage and are not.

urlpatterns = [
    path("meetings/", cached(views_public.meetings), name="meetings"),
    path("meetings/<int:year>/<int:month>/", cached(views_public.month), name="calendar"),
    path("meetings/taking-part/", cached(views_public.taking_part), name="taking_part"),
    path("meetings/<int:pk>/", cached(views_public.meeting), name="meeting"),
    path("meetings/<int:pk>/agenda-pack.pdf", views_public.meeting_pack, name="meeting_pack"),
    path("meetings/<int:pk>/meeting.ics", cached(feeds.meeting_ics), name="meeting_ics"),
    path("meetings.ics", cached(feeds.meetings_ics), name="meetings_ics"),
    path("committees/", cached(views_public.committee_list), name="committee_list"),
    path("committees/<slug:slug>/", cached(views_public.committee), name="committee"),
    path("committees/<slug:slug>/meetings.ics", cached(feeds.committee_ics), name="committee_ics"),
    path("committees/<slug:slug>/papers.atom", cached(feeds.committee_atom), name="committee_atom"),
    path("councillors/", cached(views_public.councillors), name="councillors"),
    path("councillors/<slug:slug>/", cached(views_public.councillor), name="councillor"),
    path("reports.atom", cached(feeds.papers_atom), name="papers_atom"),
    path("reports/<int:pk>/", cached(views_public.report), name="report"),
    path("documents/<int:pk>/", views_public.document, name="document"),
    path("decisions/", cached(views_public.decisions), name="decisions"),
    path("decisions/<int:pk>/", cached(views_public.decision), name="decision"),
    path("forward-plan/", cached(views_public.forward_plan), name="forward_plan"),
    path("search/", cached(views_public.search), name="search"),
]

# E-mail alerts: never cached (forms with a CSRF token, and pages opened by a link's token).
urlpatterns += [
    path("committees/<slug:slug>/alerts/", views_alerts.subscribe, name="alerts_subscribe"),
    path(
        "committees/<slug:slug>/alerts/requested/",
        views_alerts.requested,
        name="alerts_requested",
    ),
    path("alerts/confirm/<str:token>/", views_alerts.confirm, name="alerts_confirm"),
    path("alerts/unsubscribe/<str:token>/", views_alerts.unsubscribe, name="alerts_unsubscribe"),
    path("alerts/unsubscribed/<str:done>/", views_alerts.unsubscribed, name="alerts_unsubscribed"),
]
