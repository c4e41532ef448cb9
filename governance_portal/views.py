import functools

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import engines
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


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
