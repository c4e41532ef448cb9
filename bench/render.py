"""What a page costs to render, in-process, and where the time goes:
`python -m bench.render [--runs N] [--scale S] [--queries] [--profile] [--reuse] [--only TEXT]
[--json PATH]` (bench/README.md).

The demo data (`load_demo`: Coventry, April 2017) in a scratch database of its own
(`portal_render_demo` on DATABASE_URL's server, else the embedded one), or with `--scale`
bench.volume data (`portal_render_sS`, seed 1, on the URLs `make bench` measures); then one
request at a time through the test client with production settings (DEBUG off, so the cached
template loader; static files collected for the manifest) and the page cache off
(PAGE_CACHE_SECONDS=0): what a signed-in page, or the first public request after a change,
costs. For each page:

- the SQL queries of a request;
- median, p95 and fastest of the whole request over N runs (default 200), the median time
  PostgreSQL took to answer (`execute` of the cursor, by a `connection.execute_wrapper`) and
  the rest (Python), and the Python part on the CPU clock split into ORM, templates and the
  rest (`Phases`);
- with `--queries`, each query of one request, slowest first;
- with `--profile`, cProfile over 50 requests: the cumulative time of the usual suspects
  (`{% include %}`, `{% url %}`/reverse, `{% path %}`, the date filter, forms and
  crispy-forms-gds, model instances, building SQL) and the top functions by cumulative and by
  own time.

The pages: the floor (`make bench`'s, anonymous and signed in); the public meeting page of
13 April 2017 (Cabinet Member for Policy and Leadership) and the first public report taken
there; Governance Services' page of the same meeting, their meetings list and its minutes
page, signed in (with the second factor) as the demo's Governance Services account.

`--reuse` keeps the database from the last run (skips migrate and load_demo: ~15 s, or
bench.volume: ~1 min at scale 1). The figures are one machine's at one moment: compare before
and after on the same machine, in alternating runs where it is shared.
"""

import argparse
import contextlib
import cProfile
import functools
import inspect
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

DATABASE = "portal_render_demo"
MEETING_DAY = (2017, 4, 13)
#: What a profile's summary adds up: a name, and the functions ("module:Qualified.name") whose
#: cumulative time it is (summed when several; cProfile counts a recursive call once).
SUSPECTS = [
    ("whole request (test client)", ["django.test.client:Client.request"]),
    ("middleware, view and template", ["django.core.handlers.base:BaseHandler.get_response"]),
    ("view and template", ["django.core.handlers.base:BaseHandler._get_response"]),
    ("SQL: PostgreSQL answering", ["psycopg2 execute"]),
    ("SQL: Django building queries", ["django.db.models.sql.compiler:SQLCompiler.as_sql"]),
    (
        "SQL: querysets filtered, annotated",
        [
            "django.db.models.query:QuerySet._filter_or_exclude",
            "django.db.models.query:QuerySet.annotate",
        ],
    ),
    ("model instances built", ["django.db.models.base:Model.from_db"]),
    ("templates (all rendering)", ["django.template.backends.django:Template.render"]),
    ("{% include %}", ["django.template.loader_tags:IncludeNode.render"]),
    ("{% url %}", ["django.template.defaulttags:URLNode.render"]),
    ("reverse() (from anywhere)", ["django.urls.base:reverse"]),
    ("{% path %}", ["governance_portal.url_shapes:path"]),
    ("{% csrf_token %}", ["django.template.defaulttags:CsrfTokenNode.render"]),
    ("variable lookups in templates", ["django.template.base:Variable._resolve_lookup"]),
    ("date filter", ["django.template.defaultfilters:date"]),
    (
        "forms rendered (fields, widgets)",
        ["django.forms.boundfield:BoundField.__str__", "django.forms.utils:RenderableMixin.render"],
    ),
    (
        "crispy-forms-gds",
        [
            "crispy_forms.templatetags.crispy_forms_tags:CrispyFormNode.render",
            "crispy_forms.templatetags.crispy_forms_filters:as_crispy_field",
        ],
    ),
]


# --- The orchestrating process (no Django) ---------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--queries", action="store_true", help="list each page's queries")
    parser.add_argument(
        "--scale",
        type=float,
        help="measure on bench.volume data at this scale (seed 1) instead of the demo's",
    )
    parser.add_argument("--reuse", action="store_true", help="reuse the database of the last run")
    parser.add_argument("--only", default="", help="only the pages whose name contains this")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        print(
            json.dumps(
                measure(options.runs, options.profile, options.queries, options.scale, options.only)
            )
        )
        return

    from bench.common import (
        PYTHON,
        ROOT,
        Workspace,
        create_database,
        database_exists,
        database_url,
        log,
        manage,
        prepare_database,
        server_url,
    )

    server = server_url()
    ws = Workspace()
    name = (
        DATABASE if options.scale is None else f"portal_render_s{options.scale:g}".replace(".", "_")
    )
    try:
        if options.reuse and database_exists(server, name):
            url = database_url(server, name)
            log(f"reusing {name}")
        elif options.scale is not None:
            log(f"{name}: migrate, bench.volume --scale {options.scale:g}")
            url = prepare_database(ws, server, name, options.scale, seed=1)["url"]
        else:
            url = create_database(server, name)
            log(f"{name}: migrate, load_demo")
            manage(ws.production(url), "migrate", "--verbosity", "0")
            with open(os.devnull, "w") as quiet:
                subprocess.run(
                    [PYTHON, "manage.py", "load_demo"],
                    cwd=ROOT,
                    env=ws.development(url),
                    check=True,
                    stdout=quiet,
                )
        manage(ws.production(url), "collectstatic", "--noinput", "--verbosity", "0")
        log(f"measuring, {options.runs} runs a page")
        answer = subprocess.run(
            [PYTHON, "-m", "bench.render", "--measure", "--runs", str(options.runs)]
            + (["--scale", str(options.scale)] if options.scale is not None else [])
            + (["--only", options.only] if options.only else [])
            + (["--profile"] if options.profile else [])
            + (["--queries"] if options.queries else []),
            cwd=ROOT,
            # Production settings with BENCHMARK_FLOOR=1 (Workspace.production): the floor too.
            env=ws.production(url, ALLOWED_HOSTS="testserver", PAGE_CACHE_SECONDS="0"),
            check=True,
            text=True,
            stdout=subprocess.PIPE,
        ).stdout
    finally:
        ws.remove()
    figures = json.loads(answer)
    print(report(figures, options.runs))
    if options.json:
        options.json.write_text(json.dumps(figures, indent=1))


def report(figures: dict, runs: int) -> str:
    lines = [
        f"In-process (test client), production settings (DEBUG off), page cache off; {runs} "
        "runs a page. Milliseconds, medians but for p95 and the fastest run. Wall clock: the "
        "whole request, PostgreSQL answering (SQL) and the rest (Python). CPU: the Python part "
        "on the process's CPU clock (which other work on the machine inflates less), split "
        "into the ORM building queries and model instances, templates, and the rest "
        "(middleware, the view, building querysets; bench/render.py Phases).",
        "",
        "| page | queries | median | p95 | fastest | SQL | Python | CPU: Python | CPU: ORM "
        "| CPU: templates | CPU: other |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, page in figures["pages"].items():
        lines.append(
            f"| {name} | {page['queries']} | {page['median']:.1f} | {page['p95']:.1f} "
            f"| {page['fastest']:.1f} "
            + "".join(
                f"| {page[f'{phase}_median']:.1f} "
                for phase in (
                    "sql",
                    "python",
                    "cpu_python",
                    "cpu_orm",
                    "cpu_templates",
                    "cpu_other",
                )
            )
            + "|"
        )
    for name, page in figures["pages"].items():
        if "slowest" in page:
            lines += ["", f"## {name}: its queries, slowest first", ""]
            lines += [f"  {ms:6.2f} ms  {sql[:160]}" for ms, sql in page["slowest"]]
        if "profile" in page:
            lines += ["", f"## {name}: {page['url']}", "", "cumulative ms a request:", ""]
            lines += [f"  {ms:7.2f}  {what}" for what, ms in page["suspects"]]
            lines += ["", page["profile"]]
    return "\n".join(lines)


# --- The measuring process (Django, production settings) ------------------------------------


class Phases:
    """Where a request's time goes, at the cost of two clock readings per call rather than a
    profiler's per-function overhead: time is charged to the innermost phase running, on the
    wall clock and on the thread's CPU clock (which other processes on the machine inflate
    less, though they still do: caches and cores are shared).

    - `sql`: PostgreSQL answering (the cursor's `execute`, by `connection.execute_wrapper`),
      with the number of queries;
    - `orm`: Django turning querysets into SQL and rows into model instances
      (QuerySet._fetch_all, SQLCompiler.execute_sql for counts and `exists`), SQL excluded;
    - `templates`: rendering (the template backend's `render`), queries run from templates
      excluded;
    - `other`: the rest (middleware, the test client, the view's own code, building querysets
      with filter, annotate and Prefetch).
    """

    PHASES = ("sql", "orm", "templates", "other")

    def __init__(self):
        self.reset()

    def reset(self):
        self.wall = dict.fromkeys(self.PHASES, 0.0)
        self.cpu = dict.fromkeys(self.PHASES, 0.0)
        self.queries = 0
        self.stack = ["other"]
        self.mark = (time.perf_counter(), time.thread_time())

    def _charge(self):
        now = (time.perf_counter(), time.thread_time())
        phase = self.stack[-1]
        self.wall[phase] += now[0] - self.mark[0]
        self.cpu[phase] += now[1] - self.mark[1]
        self.mark = now

    def _enter(self, phase):
        self._charge()
        self.stack.append(phase)

    def _leave(self):
        self._charge()
        self.stack.pop()

    def wrap(self, phase, function):
        @functools.wraps(function)
        def timed(*args, **kwargs):
            self._enter(phase)
            try:
                return function(*args, **kwargs)
            finally:
                self._leave()

        return timed

    def __call__(self, execute, sql, params, many, context):
        """connection.execute_wrapper."""
        self.queries += 1
        return self.wrap("sql", execute)(sql, params, many, context)

    def install(self):
        from django.db.models.query import QuerySet
        from django.db.models.sql.compiler import SQLCompiler
        from django.template.backends.django import Template

        self.originals = [
            (QuerySet, "_fetch_all", "orm"),
            (SQLCompiler, "execute_sql", "orm"),
            (Template, "render", "templates"),
        ]
        self.originals = [(c, name, getattr(c, name), p) for c, name, p in self.originals]
        for owner, name, function, phase in self.originals:
            setattr(owner, name, self.wrap(phase, function))

    def uninstall(self):
        """Back to Django's own functions (for cProfile, which would count the wrappers)."""
        for owner, name, function, _phase in self.originals:
            setattr(owner, name, function)

    def finish(self) -> dict:
        """Milliseconds of each phase: `sql` on the wall clock, and `cpu_<phase>` for the
        Python phases."""
        self._charge()
        out = {"sql": self.wall["sql"] * 1000}
        out.update({f"cpu_{phase}": self.cpu[phase] * 1000 for phase in self.PHASES[1:]})
        out["cpu_python"] = sum(out[f"cpu_{phase}"] for phase in self.PHASES[1:])
        return out


#: `make bench`'s floor (one trivial query, a template string, the whole middleware stack),
#: for visitors and signed in: what any page costs before its own work.
FLOORS = [("floor", "/_floor", False), ("floor, signed in", "/_floor", True)]


def volume_pages(scale: float) -> list[tuple[str, str, bool]]:
    """The same pages in bench.volume data: the first URL of each of `make bench`'s
    rotations (bench/tasks.py), and the minutes page of its meeting."""
    from bench import tasks

    first = {page["name"]: page["urls"][0] for page in tasks.pages(str(scale))["pages"]}
    return [
        *FLOORS,
        ("public meeting page", first["meeting page"], False),
        ("public report page", first["report page"], False),
        ("GS meeting page", first["GS: meeting page"], True),
        ("GS meetings list", first["GS: meetings"], True),
        ("GS minutes page", f"{first['GS: meeting page']}minutes/", True),
    ]


def pages() -> list[tuple[str, str, bool]]:
    """(name, URL, signed in) of each page measured in the demo data."""
    import datetime as dt

    from django.contrib.auth.models import AnonymousUser
    from django.urls import reverse

    from committees import policies
    from committees.models import Meeting, Paper
    from portal_kit.time import LONDON

    day = dt.date(*MEETING_DAY)
    start = dt.datetime.combine(day, dt.time.min, tzinfo=LONDON)
    meeting = (
        Meeting.objects.filter(start__gte=start, start__lt=start + dt.timedelta(days=1))
        .order_by("pk")
        .first()
    )
    if meeting is None:
        raise RuntimeError(f"The demo data has no meeting on {day}")
    paper = (
        policies.papers.visible(AnonymousUser(), Paper.objects.all())
        .filter(consultations__meeting=meeting)
        .order_by("pk")
        .first()
    )
    return [
        *FLOORS,
        ("public meeting page", reverse("committees:meeting", args=[meeting.pk]), False),
        ("public report page", reverse("committees:report", args=[paper.pk]), False),
        ("GS meeting page", reverse("manage:meeting", args=[meeting.pk]), True),
        ("GS meetings list", reverse("manage:meetings"), True),
        ("GS minutes page", reverse("manage:meeting_minutes", args=[meeting.pk]), True),
    ]


def _signed_in_client(scale):
    """The demo's Governance Services account (or in volume data, the benchmark's first),
    signed in and past its second factor."""
    if scale is not None:
        from bench import tasks

        return tasks._client({"kind": "signed_in"})
    from django.contrib.auth.models import Group
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from organisation import queries as organisation_queries
    from organisation.models import User
    from organisation.roles import Role, group_name

    group = Group.objects.get(name=group_name(Role.GOVERNANCE_SERVICES))
    for user in User.objects.filter(groups=group, is_active=True).order_by("pk"):
        device = organisation_queries.enrolled_devices(user).first()
        if device is not None:
            client = Client()
            client.force_login(user)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
            return client
    raise RuntimeError("The demo data has no Governance Services account with an app")


def measure(
    runs: int, profile: bool, show_queries: bool, scale: float | None, only: str = ""
) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    if settings.DEBUG or settings.PAGE_CACHE_SECONDS:
        raise RuntimeError("Measure with DEBUG off and PAGE_CACHE_SECONDS=0")
    public, signed_in = Client(), _signed_in_client(scale)
    phases = Phases()
    phases.install()
    out = {"pages": {}}
    for name, url, needs_sign_in in pages() if scale is None else volume_pages(scale):
        if only not in name:
            continue
        client = signed_in if needs_sign_in else public
        for _ in range(3):  # compiles the templates, fills per-process caches
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
        rows, counts = [], set()
        for _ in range(runs):
            phases.reset()
            with connection.execute_wrapper(phases):
                started = time.perf_counter()
                client.get(url)
                total = (time.perf_counter() - started) * 1000
            row = phases.finish()
            row["total"] = total
            row["python"] = total - row["sql"]
            rows.append(row)
            counts.add(phases.queries)
        page = {
            "url": url,
            "queries": "–".join(str(c) for c in sorted(counts)),
            "median": statistics.median(r["total"] for r in rows),
            "p95": statistics.quantiles([r["total"] for r in rows], n=20)[-1],
            "fastest": min(r["total"] for r in rows),
        }
        for phase in ("sql", "python", "cpu_python", "cpu_orm", "cpu_templates", "cpu_other"):
            page[f"{phase}_median"] = statistics.median(r[phase] for r in rows)
        if show_queries:
            page["slowest"] = _slowest_queries(client, url)
        if profile:
            phases.uninstall()
            page.update(_profile(client, url))
            phases.install()
        out["pages"][name] = page
    return out


def _slowest_queries(client, url) -> list:
    """Each query of one request, slowest first: (ms, SQL)."""
    from django.db import connection

    timed = []

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append(((time.perf_counter() - started) * 1000, sql))

    with connection.execute_wrapper(timer):
        client.get(url)
    return sorted(timed, reverse=True)


def _profile(client, url, requests=50) -> dict:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(url)
    profiler.disable()
    stats = pstats.Stats(profiler)
    suspects = []
    for what, names in SUSPECTS:
        keys = {_profile_key(name) for name in names}
        seconds = sum(row[3] for key, row in stats.stats.items() if key in keys)
        suspects.append((what, seconds * 1000 / requests))
    text = io.StringIO()
    stats.stream = text
    # The project's own functions and Django's template machinery by cumulative time (the
    # middleware chain above them is the same on every page), then everything by own time.
    stats.sort_stats("cumulative").print_stats(
        r"(committees|organisation|governance_portal|portal_kit|django/template)/", 30
    )
    stats.sort_stats("tottime").print_stats(20)
    return {"suspects": suspects, "profile": _trim(text.getvalue(), requests)}


def _profile_key(name: str) -> tuple:
    """cProfile's key for "module:Qualified.name" (file, first line, name)."""
    if name == "psycopg2 execute":
        return ("~", 0, "<method 'execute' of 'psycopg2.extensions.cursor' objects>")
    import importlib

    module, qualname = name.split(":")
    function = importlib.import_module(module)
    for part in qualname.split("."):
        function = getattr(function, part)
    code = inspect.unwrap(function).__code__
    return (code.co_filename, code.co_firstlineno, code.co_name)


def _trim(text: str, requests: int) -> str:
    keep = [f"(cProfile over {requests} requests; seconds)"]
    for line in text.splitlines():
        line = line.rstrip()
        if not line or line.startswith(("   Ordered by", "   List reduced")):
            continue
        keep.append(line.replace(f"{Path.cwd()}/", "").replace(sys.prefix + "/", ""))
    return "\n".join(keep)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
