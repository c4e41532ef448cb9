"""One-off Django processes for the benchmark, run as `python -m bench.tasks COMMAND ...` with
the production settings of the benchmark database; each prints its answer as JSON.

    users PASSWORD        create (or reset) the Governance Services and Monitoring Officer
                          accounts
    size                  pg_database_size of the database
    pages SCALE [soak]    the URLs to measure (with `soak`, larger pools for mixed traffic)
    queries PAGES.json    SQL queries per page, counted with the test client (cache off)
    uncached PAGES.json   milliseconds per page with the page cache off (test client)
    profile PAGES.json    cProfile and the slowest query's EXPLAIN ANALYZE for each page
    changes RUNNING       a clerk's changes, one a second while the file RUNNING exists, for
                          the mixed run (bench/mixed.py)
"""

import cProfile
import io
import json
import pstats
import sys
from pathlib import Path
from urllib.parse import urlencode

import django

SEARCHES = {
    "search: air quality": "air quality",
    "search: budget": "budget",
    "search: whistleblowing policy": "whistleblowing policy",
    "search: phrase": '"code of corporate governance"',
}
#: For the soak: what people type, more or less.
SOAK_SEARCHES = [
    "air quality",
    "budget",
    "whistleblowing policy",
    '"code of corporate governance"',
    "library opening hours",
    "Foleshill",
    "planning application",
    "school places",
    "fly-tipping",
    "homelessness temporary accommodation",
]
ROTATION = 10
#: Drafts ready to send for the load test's submissions (each is sent once): more than the
#: most a run sends (every client count for up to 10 s at ~50 a second, and the warm-up).
SUBMISSION_DRAFTS = 3000
#: What a finished draft says (as the question pages leave it) for the benchmark's submission.
SUBMISSION_ANSWERS = {
    "about": "wrongdoing",
    "ground": "health_and_safety",
    "what_happened": "The fire doors on the first floor of the depot workshop are wedged "
    "open every morning and the alarm panel shows a fault.",
    "when": "Every morning this month",
    "where": "The depot workshop",
    "who": "The workshop supervisor",
    "evidence": "",
    "raised_before": [],
    "raised_before_details": "",
    "public_interest": True,
    "reporter_kind": "permanent",
    "anonymous": True,
}


def users(password: str) -> dict:
    """The accounts the signed-in clients use, each with its password and its own
    authenticator app: Governance Services (common.gs_account) and, for the whistleblowing
    register, the Monitoring Officer (common.mo_account)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from bench.common import GS_ACCOUNTS, MO_ACCOUNTS, gs_account, mo_account
    from organisation.demo import ensure_known_authenticator
    from organisation.models import User
    from organisation.roles import Role, group_name

    hashed = make_password(password)  # one hash for every account: a second each otherwise
    emails = []
    for role, accounts, account_of in (
        (Role.GOVERNANCE_SERVICES, GS_ACCOUNTS, gs_account),
        (Role.MONITORING_OFFICER, MO_ACCOUNTS, mo_account),
    ):
        group = Group.objects.get(name=group_name(role))
        for n in range(accounts):
            email, key = account_of(n, password)
            account = User.objects.filter(email=email).first() or User(
                email=email, full_name=f"Benchmark {group_name(role)} {n}", job_title="Benchmark"
            )
            account.password = hashed
            account.save()
            account.groups.add(group)
            ensure_known_authenticator(account, key)
            emails.append(email)
    return {"emails": emails}


def size() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return {"bytes": cursor.fetchone()[0]}


def pages(scale: str, soak: str = "") -> dict:
    """The pages measured, each with a rotation of URLs of the same shape. The objects come
    from the first council, which is the same at every scale for a seed, so scale 1 and 10
    measure the same meetings and reports."""
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from committees.models import AgendaItem, Meeting, Organization, Paper
    from organisation.models import Council

    now = timezone.now()
    today = timezone.localdate()
    first_council = list(Organization.objects.order_by("pk").values_list("pk", flat=True)[:40])
    committees = Organization.objects.filter(pk__in=first_council)
    meetings = list(
        Meeting.objects.filter(
            minutes_published_at__isnull=False,
            start__lt=now,
            organizations__in=first_council,
        )
        .exclude(Exists(AgendaItem.objects.filter(meeting=OuterRef("pk"), parent__isnull=False)))
        .exclude(agenda_items__lists_outstanding_issues=True)
        .order_by("-start")
        .values_list("pk", flat=True)
        .distinct()[:ROTATION]
    )
    papers = list(
        Paper.objects.filter(is_public=True, consultations__meeting__in=meetings)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()[:ROTATION]
    )
    slugs = list(
        committees.filter(
            slug__in=[
                "cabinet",
                "council",
                "planning-committee",
                "audit-and-procurement-committee",
                "cabinet-member-for-policy-and-leadership",
            ]
        ).values_list("slug", flat=True)
    )
    slugs = slugs or list(committees.values_list("slug", flat=True)[:5])
    feed = f"/committees/{'cabinet' if 'cabinet' in slugs else slugs[0]}"
    body = Council.objects.get().pk
    public = [
        ("home", ["/"]),
        ("meetings list", ["/meetings/"]),
        ("calendar month", [f"/meetings/{today.year}/{today.month}/"]),
        ("committee page", [f"/committees/{s}/" for s in slugs]),
        ("meeting page", [f"/meetings/{pk}/" for pk in meetings]),
        ("report page", [f"/reports/{pk}/" for pk in papers]),
        *[(name, [f"/search/?{urlencode({'q': q})}"]) for name, q in SEARCHES.items()],
        ("iCal: committee", [f"{feed}/meetings.ics"]),
        ("iCal: all meetings", ["/meetings.ics"]),
        ("Atom: reports", ["/reports.atom"]),
        ("Atom: committee", [f"{feed}/papers.atom"]),
        ("OParl: meeting list", [f"/oparl/v1/body/{body}/meeting/"]),
        ("OParl: paper list", [f"/oparl/v1/body/{body}/paper/"]),
        ("OParl: meeting", [f"/oparl/v1/meeting/{pk}/" for pk in meetings]),
        ("OParl: paper", [f"/oparl/v1/paper/{pk}/" for pk in papers]),
    ]
    signed_in = [
        ("GS: meeting page", [f"/manage/meetings/{pk}/" for pk in meetings]),
        ("GS: meetings", ["/manage/"]),
    ]
    out = [{"name": "floor", "kind": "floor", "urls": ["/_floor"]}]
    out += [{"name": n, "kind": "public", "urls": u} for n, u in public]
    out += [{"name": n, "kind": "signed_in", "urls": u} for n, u in signed_in]
    out += _whistleblowing_pages()

    if soak != "soak":
        return {"scale": float(scale), "pages": out}
    # Larger pools for the soak's mixed traffic, across every council.
    published = Meeting.objects.filter(agenda_published_at__isnull=False).order_by("?")
    pools = {
        "meetings": [f"/meetings/{pk}/" for pk in published.values_list("pk", flat=True)[:300]],
        "manage": [
            f"/manage/meetings/{pk}/" for pk in published.values_list("pk", flat=True)[:100]
        ],
        "reports": [
            f"/reports/{pk}/"
            for pk in Paper.objects.filter(
                is_public=True, consultations__meeting__agenda_published_at__isnull=False
            )
            .order_by("?")
            .values_list("pk", flat=True)[:300]
        ],
        "committees": [
            f"/committees/{s}/"
            for s in Organization.objects.order_by("?").values_list("slug", flat=True)[:60]
        ],
        "months": [
            f"/meetings/{(today.year * 12 + today.month - 1 - n) // 12}/"
            f"{(today.year * 12 + today.month - 1 - n) % 12 + 1}/"
            for n in range(-3, 24)
        ],
        "searches": [f"/search/?{urlencode({'q': q})}" for q in SOAK_SEARCHES],
        "feeds": ["/reports.atom", f"{feed}/meetings.ics", f"{feed}/papers.atom"],
        "oparl": [f"/oparl/v1/body/{body}/meeting/", f"/oparl/v1/body/{body}/paper/"]
        + [f"/oparl/v1/meeting/{pk}/" for pk in published.values_list("pk", flat=True)[:50]],
        "static": ["/", "/meetings/", "/committees/", "/decisions/", "/forward-plan/"],
    }
    return {"scale": float(scale), "pages": out, "soak": pools}


def _whistleblowing_pages() -> list[dict]:
    """The Monitoring Officer's register and case pages (signed in with a second factor),
    and a submission: the intake's last page sending a finished draft (Argon2id included),
    each draft sent once. The pages whose URLs are not there yet are left out."""
    from django.db.models import Count
    from django.urls import NoReverseMatch, reverse

    from whistleblowing.models import Concern

    out = []
    try:
        register = reverse("concerns:register")
        cases = list(
            Concern.objects.filter(content_erased_at__isnull=True)
            .annotate(n=Count("entries"))
            .filter(n__gte=4)
            .order_by("-received_at", "-pk")
            .values_list("pk", flat=True)[:ROTATION]
        )
        out += [
            {"name": "WB: register", "kind": "monitoring_officer", "urls": [register]},
            {
                "name": "WB: case page",
                "kind": "monitoring_officer",
                "urls": [reverse("concerns:case", args=[pk]) for pk in cases],
            },
        ]
    except NoReverseMatch:
        pass
    try:
        send = reverse("whistleblowing:raise_check")
    except NoReverseMatch:
        return out
    out.append(
        {
            "name": "WB: submission",
            "kind": "submission",
            "urls": [send],
            "form": reverse("whistleblowing:raise_about"),
            "drafts": [_submission_draft() for _ in range(SUBMISSION_DRAFTS)],
        }
    )
    return out


def _submission_draft() -> str:
    """A finished draft, as the question pages seal it, ready for check-your-answers."""
    from whistleblowing import drafts
    from whistleblowing.forms import report

    draft = drafts.Draft.new(report.REPORT, SUBMISSION_ANSWERS)
    draft.answered = [step.name for step in report.REPORT_STEPS if step.applies(draft.values)]
    return draft.token()


def _fetch(client, page, url):
    """What a page's client does once: GET it, or for a submission, send a fresh draft."""
    if page["kind"] == "submission":
        return client.post(url, {"draft": _submission_draft(), "under_policy": "on"})
    return client.get(url)


def _client(page):
    """A client for the page: for a signed-in page, the first benchmark account of its kind
    (Governance Services or the Monitoring Officer), signed in and past its second factor."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from bench.common import gs_account, mo_account
    from organisation import queries as organisation_queries
    from organisation.models import User

    client = Client()
    account = {"signed_in": gs_account, "monitoring_officer": mo_account}.get(page["kind"])
    if account:
        user = User.objects.get(email=account(0, "")[0])
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = (
            organisation_queries.enrolled_devices(user).get().persistent_id
        )
        session.save()
    return client


def queries(path: str) -> dict:
    """SQL queries each page costs, for every URL of its rotation (they should agree), with
    the page cache off: what rendering the page costs, as after any change."""
    from django.test.utils import override_settings

    out = {}
    with override_settings(PAGE_CACHE_SECONDS=0):
        for page in json.loads(Path(path).read_text())["pages"]:
            out[page["name"]] = _count(page)
    return out


def uncached(path: str) -> dict:
    """Milliseconds to render each page with the page cache off (the test client, one request
    at a time, median over the rotation's URLs twice): the cost of the first request after a
    change, which the load test, served from the cache, does not show."""
    import statistics
    import time

    from django.test.utils import override_settings

    out = {}
    with override_settings(PAGE_CACHE_SECONDS=0):
        for page in json.loads(Path(path).read_text())["pages"]:
            client = _client(page)
            _fetch(client, page, page["urls"][0])
            times = []
            for url in page["urls"] * 2:
                started = time.perf_counter()
                _fetch(client, page, url)
                times.append((time.perf_counter() - started) * 1000)
            out[page["name"]] = statistics.median(times)
    return out


def _count(page) -> list[int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(page)
    counts = []
    for url in page["urls"]:
        _fetch(client, page, url)  # first render compiles templates; not what a page costs
        with CaptureQueriesContext(connection) as captured:
            response = _fetch(client, page, url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        counts.append(len(captured.captured_queries))
    return counts


def profile(path: str) -> dict:
    """For each page named, with the page cache off: where a request spends its time
    (cProfile over a few requests) and the plan of its slowest SQL query."""
    from django.test.utils import override_settings

    out = {}
    with override_settings(PAGE_CACHE_SECONDS=0):
        for page in json.loads(Path(path).read_text())["pages"]:
            out[page["name"]] = _profile(page)
    return out


def _profile(page) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(page)
    url = page["urls"][0]
    _fetch(client, page, url)
    with CaptureQueriesContext(connection) as captured:
        _fetch(client, page, url)
    # Read now: the next request clears the connection's query log.
    executed = list(captured.captured_queries)
    timed = sorted(executed, key=lambda q: float(q["time"]), reverse=True)
    sql_seconds = sum(float(q["time"]) for q in executed)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(3):
        _fetch(client, page, url)
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(
        r"(committees|whistleblowing|organisation|governance_portal)", 12
    )
    stats.sort_stats("tottime").print_stats(12)
    plan = ""
    if (
        timed
        and float(timed[0]["time"]) > 0.005
        and timed[0]["sql"].lstrip().upper().startswith("SELECT")
    ):
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + timed[0]["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
    return {
        "url": url,
        "queries": len(executed),
        "sql_seconds": sql_seconds,
        "slowest": [(float(q["time"]), q["sql"][:300]) for q in timed[:3]],
        "plan": plan,
        "profile": _trim_profile(text.getvalue()),
    }


def _trim_profile(text: str) -> str:
    keep = []
    for line in text.splitlines():
        line = line.rstrip()
        if not line or line.startswith(("   Ordered by", "   List reduced")):
            continue
        keep.append(line.replace(f"{Path.cwd()}/", "").replace(sys.prefix + "/", ""))
    return "\n".join(keep)


def changes(running: str) -> dict:
    """What Governance Services do all day, one change a second while the file `running`
    exists: edit an item
    of a draft agenda (a meeting to come whose agenda is not published), through the
    services, as the first benchmark account. No public page shows a draft agenda, but each
    change is a write to a watched model, so it advances the page cache's content version.
    Answers how many changes were made and how long each took."""
    import dataclasses
    import random
    import time

    from django.utils import timezone

    from bench.common import gs_account
    from committees import services
    from committees.models import AgendaItem
    from organisation.models import User

    actor = User.objects.get(email=gs_account(0, "")[0])
    items = list(
        AgendaItem.objects.filter(
            meeting__start__gt=timezone.now(),
            meeting__agenda_published_at__isnull=True,
            meeting__state="scheduled",
        ).values_list("pk", flat=True)[:500]
    )
    if not items:
        raise RuntimeError("no draft agenda to change")
    rng = random.Random(1)
    took = []
    n = 0
    while Path(running).exists():
        tick = time.monotonic()
        item = AgendaItem.objects.get(pk=rng.choice(items))
        details = dataclasses.replace(
            services.AgendaItemDetails.of(item), lead=f"Report of the Chief Executive (draft {n})"
        )
        services.update_agenda_item(item=item, details=details, version=item.version, actor=actor)
        took.append((time.monotonic() - tick) * 1000)
        n += 1
        time.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))
    return {"changes": n, "median_ms": sorted(took)[len(took) // 2] if took else None}


def main() -> None:
    django.setup()
    command, *args = sys.argv[1:]
    handler = {
        "users": users,
        "size": size,
        "pages": pages,
        "queries": queries,
        "uncached": uncached,
        "profile": profile,
        "changes": changes,
    }[command]
    print(json.dumps(handler(*args), default=str))


if __name__ == "__main__":
    main()
