import functools

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import engines
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from committees.models import MeetingState
from committees.queries import public as committee_queries
from organisation.policies import is_signed_in
from organisation.roles import SPECS_BY_ROLE


@require_safe
def home(request):
    """The portal's front door. Signed in: the person's roles and where to go. Otherwise the
    council's committees as the public meets them (served from the page cache): the next
    meetings, the latest decisions, new reports, the committees and how to take part."""
    user = request.user
    if is_signed_in(user):
        roles = [SPECS_BY_ROLE[role] for role in sorted(user.roles)]
        return render(request, "home.html", {"roles": roles})
    return render(
        request,
        "home.html",
        {
            "front_door": committee_queries.front_door(user),
            "today": timezone.localdate(),
            "MeetingState": MeetingState,
        },
    )


@never_cache
@require_safe
def healthz(request):
    """For load balancers: 200 when this app server can reach the database, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


@require_safe
def accessibility(request):
    return render(request, "pages/accessibility.html")


@require_safe
def cookies(request):
    return render(request, "pages/cookies.html")


@functools.cache
def _floor_template():
    return engines["django"].from_string(
        '<!doctype html><html lang="en"><title>Floor</title><p>{{ value }}</p></html>'
    )


@require_safe
def floor(request):
    """The benchmark's denominator (bench/): one trivial query and a minimal template, through
    the same middleware as every page. Routed only when BENCHMARK_FLOOR=1."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        value = cursor.fetchone()[0]
    return HttpResponse(_floor_template().render({"value": value}))
