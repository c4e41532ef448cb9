import os

from django.contrib import admin
from django.urls import include, path

from governance_portal import views
from governance_portal.pagecache import anonymous_page

admin.site.site_header = "Governance Portal administration"
admin.site.site_title = "Governance Portal administration"

urlpatterns = [
    path("", anonymous_page(views.home), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("cookies/", views.cookies, name="cookies"),
    path("", include("organisation.urls_account")),
    path("organisation/", include("organisation.urls")),
    path("manage/", include("committees.urls.manage")),
    path("whistleblowing/register/", include("whistleblowing.urls.handle")),
    path("whistleblowing/", include("whistleblowing.urls.report")),
    path("oparl/v1/", include("committees.oparl.urls")),
    path("", include("committees.urls.public")),
    path("admin/", admin.site.urls),
]

if os.environ.get("BENCHMARK_FLOOR") == "1":
    # The benchmark's "floor" page (bench/README.md): never routed in a normal deployment.
    urlpatterns.append(path("_floor", views.floor, name="bench_floor"))
