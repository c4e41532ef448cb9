"""The OParl 1.1 open-data API (committees/api.py), included at /oparl/v1/."""

from django.urls import path

from committees.oparl import views as api
from governance_portal.pagecache import anonymous_page as cached

app_name = "oparl"

#: URL segment -> kind, for each object type and the body's list of it.
SEGMENTS = {
    "organization": "organization",
    "person": "person",
    "membership": "membership",
    "meeting": "meeting",
    "agenda-item": "agenda_item",
    "paper": "paper",
    "consultation": "consultation",
    "file": "file",
    "location": "location",
    "legislative-term": "legislative_term",
}

# The body's lists are named in the plural ("body_meetings"), objects in the singular.
PLURALS = {
    "organization": "organizations",
    "person": "persons",
    "membership": "memberships",
    "meeting": "meetings",
    "agenda_item": "agenda_items",
    "paper": "papers",
    "consultation": "consultations",
    "file": "files",
    "location": "locations",
    "legislative_term": "legislative_terms",
}

urlpatterns = [
    path("", cached(api.system), name="system"),
    path("body/", cached(api.body_list), name="body_list"),
    path("body/<int:pk>/", cached(api.body), name="body"),
    *[
        path(
            f"body/<int:pk>/{segment}/",
            cached(api.body_objects),
            {"kind": kind},
            name=f"body_{PLURALS[kind]}",
        )
        for segment, kind in SEGMENTS.items()
    ],
    *[
        path(f"{segment}/<int:pk>/", cached(api.object_detail), {"kind": kind}, name=kind)
        for segment, kind in SEGMENTS.items()
    ],
    path(
        "organization/<int:pk>/meeting/",
        cached(api.organization_meetings),
        name="organization_meetings",
    ),
    path("file/<int:pk>/access/", cached(api.file_access), name="file_access"),
    path("file/<int:pk>/download/", api.file_download, name="file_download"),
    path("<path:rest>", api.not_found, name="not_found"),
]
