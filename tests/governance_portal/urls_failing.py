from django.urls import include, path


def broken(request):
    raise RuntimeError("deliberate failure for the 500 page test")


urlpatterns = [
    path("broken/", broken),
    path("", include("governance_portal.urls")),
]
