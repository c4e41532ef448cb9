"""BENCHMARKS.md from a run's results: the figures, the targets met and missed, the profiles of
the pages that missed, and what is written by hand in bench/findings.md and bench/rendering.md."""

import json

from bench.common import ROOT

TARGET_CLIENTS = 16
PUBLIC_P95_RATIO = 3.0
PUBLIC_THROUGHPUT = 0.40
SIGNED_IN_THROUGHPUT = 0.15
SEARCH_P95_MS = 150
#: Sending a whistleblowing concern, Argon2id hashing of its receipt code included (issue 11).
SUBMISSION_P95_MS = 300
#: The kinds of page measured signed in (bench/load.py signs their clients in).
SIGNED_IN_KINDS = ("signed_in", "monitoring_officer")
WORKER_RSS_MB = 200
PACK_SECONDS = 10
#: The soak's concurrency: the most clients at which every page answered without an error
#: and within this p95.
SUSTAINABLE_P95_MS = 30_000


def _floor(scale_result: dict, clients: int) -> dict:
    runs = [
        r for r in scale_result["load"]["runs"] if r["kind"] == "floor" and r["clients"] == clients
    ]
    return {
        "rps": sum(r["rps"] for r in runs) / len(runs),
        "p95_ms": sum(r["p95_ms"] for r in runs) / len(runs),
        "median_ms": sum(r["median_ms"] for r in runs) / len(runs),
    }


def _pages(scale_result: dict, clients: int) -> list[dict]:
    return [
        r for r in scale_result["load"]["runs"] if r["kind"] != "floor" and r["clients"] == clients
    ]


def _page_checks(scale_result: dict) -> list[dict]:
    """Each page at the target client count against the floor: (page, check, measured,
    goal, met)."""
    clients = TARGET_CLIENTS if TARGET_CLIENTS in scale_result["levels"] else None
    if clients is None:
        return []
    floor = _floor(scale_result, clients)
    out = []
    for run in _pages(scale_result, clients):
        if run.get("skipped"):
            out.append(
                {
                    "page": run["page"],
                    "check": "measured at all",
                    "measured": f"not measured at {clients} clients: {run['skipped']}",
                    "met": False,
                }
            )
            continue
        ratio_rps = run["rps"] / floor["rps"]
        ratio_p95 = run["p95_ms"] / floor["p95_ms"]
        if run["kind"] == "public":
            out.append(
                {
                    "page": run["page"],
                    "check": f"p95 ≤ {PUBLIC_P95_RATIO:g} x floor",
                    "measured": f"{ratio_p95:.1f} x ({run['p95_ms']:.0f} ms)",
                    "met": ratio_p95 <= PUBLIC_P95_RATIO,
                }
            )
            out.append(
                {
                    "page": run["page"],
                    "check": f"throughput ≥ {PUBLIC_THROUGHPUT:.0%} of floor",
                    "measured": f"{ratio_rps:.0%} ({run['rps']:.0f} req/s)",
                    "met": ratio_rps >= PUBLIC_THROUGHPUT,
                }
            )
        elif run["kind"] == "submission":
            out.append(
                {
                    "page": run["page"],
                    "check": f"p95 ≤ {SUBMISSION_P95_MS} ms",
                    "measured": f"{run['p95_ms']:.0f} ms ({run['rps']:.0f} sent/s)",
                    "met": run["p95_ms"] <= SUBMISSION_P95_MS,
                }
            )
        else:
            out.append(
                {
                    "page": run["page"],
                    "check": f"throughput ≥ {SIGNED_IN_THROUGHPUT:.0%} of floor",
                    "measured": f"{ratio_rps:.0%} ({run['rps']:.0f} req/s)",
                    "met": ratio_rps >= SIGNED_IN_THROUGHPUT,
                }
            )
        if run["page"].startswith("search"):
            out.append(
                {
                    "page": run["page"],
                    "check": f"p95 ≤ {SEARCH_P95_MS} ms",
                    "measured": f"{run['p95_ms']:.0f} ms",
                    "met": run["p95_ms"] <= SEARCH_P95_MS,
                }
            )
    return out


def _mixed_floor(scale_result: dict) -> dict | None:
    runs = [r for r in scale_result.get("mixed", {}).get("runs", []) if r["kind"] == "floor"]
    return runs[0] if runs else None


def _mixed_checks(scale_result: dict) -> list[dict]:
    """The read-only targets for the public pages, held while a clerk makes a change a second
    (bench/mixed.py), against the floor measured in the same mix."""
    floor = _mixed_floor(scale_result)
    if floor is None:
        return []
    out = []
    for run in scale_result["mixed"]["runs"]:
        if run["kind"] != "public":
            continue
        ratio_p95 = run["p95_ms"] / floor["p95_ms"]
        ratio_rps = run["rps"] / floor["rps"]
        page = f"{run['page']}, changes a second"
        out += [
            {
                "page": page,
                "check": f"p95 ≤ {PUBLIC_P95_RATIO:g} x floor",
                "measured": f"{ratio_p95:.1f} x ({run['p95_ms']:.0f} ms), "
                f"{run['cache_hits'] / max(1, run['requests']):.0%} from the cache",
                "met": ratio_p95 <= PUBLIC_P95_RATIO,
            },
            {
                "page": page,
                "check": f"throughput ≥ {PUBLIC_THROUGHPUT:.0%} of floor",
                "measured": f"{ratio_rps:.0%} ({run['rps']:.0f} req/s)",
                "met": ratio_rps >= PUBLIC_THROUGHPUT,
            },
        ]
    return out


def missed_pages(scale_result: dict) -> list[str]:
    names = []
    for check in _page_checks(scale_result):
        if not check["met"] and check["page"] not in names:
            names.append(check["page"])
    return names


def targets(results: dict) -> list[dict]:
    scales = results["scales"]
    largest = max(scales, key=lambda s: s["scale"])
    out = []
    if len(scales) > 1:
        smallest = min(scales, key=lambda s: s["scale"])
        differing = [
            f"{name}: {sorted(set(smallest['queries'][name]))} vs "
            f"{sorted(set(largest['queries'].get(name, [])))}"
            for name in smallest["queries"]
            if set(smallest["queries"][name]) != set(largest["queries"].get(name, []))
        ]
        out.append(
            {
                "page": "every page",
                "check": f"SQL queries the same at scale {smallest['scale']:g} and "
                f"{largest['scale']:g}",
                "measured": "; ".join(differing) or "the same on every page",
                "met": not differing,
            }
        )
    out += [
        dict(c, page=f"{c['page']} (scale {largest['scale']:g})")
        for c in _page_checks(largest) + _mixed_checks(largest)
    ]
    peak = max(r.get("worker_rss_mb", 0) for s in scales for r in s["load"]["runs"])
    out.append(
        {
            "page": "gunicorn worker",
            "check": f"peak RSS ≤ {WORKER_RSS_MB} MB",
            "measured": f"{peak:.0f} MB",
            "met": peak <= WORKER_RSS_MB,
        }
    )
    pack = results["pack"]
    out.append(
        {
            "page": f"agenda pack of {pack['pages']} pages",
            "check": f"built in ≤ {PACK_SECONDS} s",
            "measured": f"{pack['seconds']:.1f} s",
            "met": pack["seconds"] <= PACK_SECONDS,
        }
    )
    errors = sum(
        r["errors"] for s in scales for r in s["load"]["runs"] + s.get("mixed", {}).get("runs", [])
    )
    server_errors = sum(s["server_5xx"] for s in scales)
    out.append(
        {
            "page": "every request",
            "check": "no failed request, no 5xx",
            "measured": f"{errors} failed, {server_errors} 5xx",
            "met": errors == 0 and server_errors == 0,
        }
    )
    return out


def sustainable_clients(results: dict) -> dict[str, int]:
    """For each scale, the most clients at which every page answered without error within
    SUSTAINABLE_P95_MS (half a typical proxy's 60 s timeout): what `make soak` runs at."""
    out = {}
    for s in results["scales"]:
        best = min(s["levels"])
        for clients in sorted(s["levels"]):
            runs = [r for r in s["load"]["runs"] if r["clients"] == clients]
            if all(
                not r.get("skipped") and r["errors"] == 0 and r["p95_ms"] <= SUSTAINABLE_P95_MS
                for r in runs
            ):
                best = clients
            else:
                break
        out[f"{s['scale']:g}"] = best
    return out


# --- Markdown ---------------------------------------------------------------------------------


def _table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _queries(scale_result: dict, name: str) -> str:
    counts = scale_result["queries"].get(name, [])
    if not counts:
        return ""
    low, high = min(counts), max(counts)
    return str(low) if low == high else f"{low}–{high}"


def _scale_section(s: dict) -> str:
    data = s["data"]
    out = [f"## Scale {s['scale']:g}", ""]
    if s.get("uncached_ms"):
        out += [
            "### Rendering with the page cache off",
            "",
            "What the first request for a page costs after a change (or a signed-in visitor's "
            "request): one request at a time through the test client, median over the "
            "rotation's URLs. The load tests below are served from the page cache after each "
            "URL's first request, as production is.",
            "",
            _table(
                ["page", "SQL queries", "median ms"],
                [[name, _queries(s, name), f"{ms:.1f}"] for name, ms in s["uncached_ms"].items()],
            ),
            "",
        ]
    for clients in s["levels"]:
        floor = _floor(s, clients)
        rows = [
            [
                "floor",
                "1",
                f"{floor['median_ms']:.1f}",
                f"{floor['p95_ms']:.1f}",
                f"{floor['rps']:.0f}",
                "1.00",
                "1.0",
                "",
                "",
            ]
        ]
        for run in _pages(s, clients):
            if run.get("skipped"):
                rows.append([run["page"], _queries(s, run["page"]), f"skipped: {run['skipped']}"])
                rows[-1] += [""] * 6
                continue
            rows.append(
                [
                    run["page"] + (" (signed in)" if run["kind"] in SIGNED_IN_KINDS else ""),
                    _queries(s, run["page"]),
                    f"{run['median_ms']:.1f}",
                    f"{run['p95_ms']:.1f}",
                    f"{run['rps']:.0f}",
                    f"{run['rps'] / floor['rps']:.2f}",
                    f"{run['p95_ms'] / floor['p95_ms']:.1f}",
                    f"{run['worker_rss_mb']:.0f}",
                    str(run["errors"]),
                ]
            )
        out += [
            f"### {clients} client{'s' if clients > 1 else ''}",
            "",
            _table(
                [
                    "page",
                    "SQL queries",
                    "median ms",
                    "p95 ms",
                    "req/s",
                    "req/s ÷ floor",
                    "p95 ÷ floor",
                    "peak worker RSS MB",
                    "errors",
                ],
                rows,
            ),
            "",
        ]
    out += _mixed_section(s)
    del data
    return "\n".join(out)


def _mixed_section(s: dict) -> list[str]:
    floor = _mixed_floor(s)
    if floor is None:
        return []
    mixed = s["mixed"]
    read_only = (
        {r["page"]: r for r in _pages(s, TARGET_CLIENTS)} if TARGET_CLIENTS in s["levels"] else {}
    )
    rows = []
    for run in mixed["runs"]:
        before = read_only.get(run["page"])
        rows.append(
            [
                run["page"],
                f"{run['p95_ms']:.1f}",
                f"{run['rps']:.0f}",
                f"{run['rps'] / floor['rps']:.2f}",
                f"{run['p95_ms'] / floor['p95_ms']:.1f}",
                f"{run['cache_hits'] / max(1, run['requests']):.0%}",
                f"{before['p95_ms']:.1f}" if before and not before.get("skipped") else "",
                f"{before['rps']:.0f}" if before and not before.get("skipped") else "",
                str(run["errors"]),
            ]
        )
    changes = mixed["changes"]
    return [
        f"### {TARGET_CLIENTS} clients while Governance Services make a change a second",
        "",
        "bench/mixed.py: each public page again, while a script edits an item of a draft "
        f"agenda through the services once a second ({changes['changes']} changes, "
        f"{changes['median_ms'] or 0:.0f} ms each): no public page shows a draft agenda, but "
        "every change is a write the page cache watches. The floor is measured in the same "
        "mix; the last columns are the read-only run's at the same client count.",
        "",
        _table(
            [
                "page",
                "p95 ms",
                "req/s",
                "req/s ÷ floor",
                "p95 ÷ floor",
                "from the cache",
                "read-only p95 ms",
                "read-only req/s",
                "errors",
            ],
            rows,
        ),
        "",
    ]


def markdown(results: dict) -> str:
    m = results["machine"]
    settings = results["settings"]
    out = [
        "# Benchmarks",
        "",
        "Written by `make bench` (bench/run.py); run it again to reproduce. Figures from one "
        "machine at one moment: compare ratios to the floor rather than absolute times.",
        "",
        f"- Date: {results['date']}",
        f"- Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gb']} GB memory, "
        f"{m['system']}; Python {m['python']}; PostgreSQL {results['postgresql']}",
        f"- Load average before / after: {', '.join(f'{x:.1f}' for x in m['load'])} / "
        f"{', '.join(f'{x:.1f}' for x in m['load_after'])} (other work on the machine "
        "shares its CPUs)",
        f"- Command: `{results['command']}` (scales "
        f"{', '.join(f'{s:g}' for s in settings['scales'])}, "
        f"seed {settings['seed']}, {settings['seconds']:g} s a page and client count, "
        f"gunicorn with {settings['workers']} sync workers, production settings, DEBUG off)",
        f"- The whole run took {results['minutes']:.1f} minutes.",
        "",
        "## Data",
        "",
    ]
    names = [
        "committees",
        "meetings",
        "agenda items",
        "reports",
        "documents (files)",
        "consultations (journey steps)",
        "resolutions",
        "decisions",
        "search entries",
    ]
    rows = []
    for s in results["scales"]:
        d = s["data"]
        rows.append(
            [
                f"{s['scale']:g}",
                f"{d['seconds']:.0f} s" + (" (reused)" if d.get("reused") else ""),
                f"{d['bytes'] / 1e9:.2f} GB",
                *[f"{d['counts'].get(n, 0):,}" for n in names],
            ]
        )
    out += [_table(["scale", "load time", "database size", *names], rows), ""]
    out += ["## Targets", ""]
    out.append(
        _table(
            ["what", "target", "measured", ""],
            [
                [t["page"], t["check"], t["measured"], "met" if t["met"] else "**missed**"]
                for t in results["targets"]
            ],
        )
    )
    sustainable = ", ".join(
        f"{clients} at scale {scale}" for scale, clients in results["sustainable_clients"].items()
    )
    out += [
        "",
        f"Sustainable clients (what `make soak` runs at): {sustainable}: the most at which "
        f"every page answered without error and with p95 ≤ {SUSTAINABLE_P95_MS / 1000:g} s.",
        "",
        "## Agenda pack",
        "",
        f"bench/bench_pack.py: a pack of {results['pack']['pages']} pages "
        f"({results['pack']['megabytes']:.1f} MB) built in {results['pack']['seconds']:.2f} s.",
        "",
    ]
    for s in results["scales"]:
        out.append(_scale_section(s))
    profiles = {name: p for s in results["scales"] for name, p in (s.get("profiles") or {}).items()}
    if profiles:
        out += ["## Profiles of the pages that missed", ""]
        for name, p in profiles.items():
            out += [
                f"### {name}",
                "",
                f"`{p['url']}`: {p['queries']} queries, {p['sql_seconds'] * 1000:.0f} ms in SQL "
                "(one request, test client). Slowest queries:",
                "",
                *[f"- {t * 1000:.1f} ms: `{sql}`" for t, sql in p["slowest"]],
                "",
                "```",
                p["profile"],
                "```",
                "",
            ]
            if p["plan"]:
                out += ["EXPLAIN ANALYZE of the slowest query:", "", "```", p["plan"], "```", ""]
    out += _before_and_after(results)
    out += _soak()
    # Written by hand: the findings of the load tests, then the rendering cost of issue 9
    # (bench/render.py), which a run of this benchmark does not measure again.
    for written in ("findings.md", "rendering.md"):
        path = ROOT / "bench" / written
        if path.exists():
            out += [path.read_text().strip(), ""]
    return "\n".join(out)


def _soak() -> list[str]:
    """The last `make soak` (it rewrites this file when it ends)."""
    from bench.common import RESULTS

    path = RESULTS / "soak-latest.json"
    if not path.exists():
        return []
    soak = json.loads(path.read_text())
    return [
        "## Soak",
        "",
        f"`make soak` (bench/soak.py), {soak.get('finished_at', 'after this run')}: "
        f"{soak['requests']:,} requests in {soak['seconds']:.0f} s ({soak['rps']:.0f} req/s) "
        f"of mixed public and signed-in traffic at scale {soak.get('scale', 1):g}, "
        f"{soak['clients']} clients, {soak['workers']} workers; median "
        f"{soak['median_ms']:.0f} ms, p95 {soak['p95_ms']:.0f} ms.",
        "",
        _table(
            ["check", "measured", ""],
            [
                [c["check"], c["measured"], "passed" if c["passed"] else "**failed**"]
                for c in soak["checks"]
            ],
        ),
        "",
    ]


def _before_and_after(results: dict) -> list[str]:
    """This run's largest scale beside bench/baseline.json, the run before issue 4's fixes."""
    path = ROOT / "bench" / "baseline.json"
    largest = max(results["scales"], key=lambda s: s["scale"])
    if not path.exists() or largest["scale"] != 10 or 16 not in largest["levels"]:
        return []
    baseline = json.loads(path.read_text())
    floor = _floor(largest, 16)
    runs = {r["page"]: r for r in _pages(largest, 16)}
    uncached = largest.get("uncached_ms", {})
    rows = []
    for name, before in baseline["pages"].items():
        run = runs.get(name)
        if run is None or run.get("skipped"):
            continue
        rows.append(
            [
                name,
                f"{before['median_ms_1_client']:.0f} → {uncached.get(name, float('nan')):.0f}",
                f"{before['p95_ratio_16']:.1f} → {run['p95_ms'] / floor['p95_ms']:.1f}",
                f"{before['rps_ratio_16']:.2f} → {run['rps'] / floor['rps']:.2f}",
                f"{before['p95_ms_16']:.0f} → {run['p95_ms']:.0f}",
            ]
        )
    return [
        "## Before and after (scale 10)",
        "",
        f"Before: {baseline['source']}. After: this run. The first column compares one "
        "request at a time with nothing cached (before: over HTTP, no cache existed; after: "
        "the test client with the page cache off); the others, 16 clients against the server "
        "as deployed (after: served from the page cache once each URL has been rendered).",
        "",
        _table(
            [
                "page",
                "ms, one request, uncached",
                "p95 ÷ floor, 16 clients",
                "req/s ÷ floor, 16 clients",
                "p95 ms, 16 clients",
            ],
            rows,
        ),
        "",
    ]


def summary(results: dict) -> str:
    lines = ["Targets:"]
    for t in results["targets"]:
        lines.append(
            f"  {'met   ' if t['met'] else 'MISSED'}  {t['page']}: {t['check']}: {t['measured']}"
        )
    return "\n".join(lines)


def main() -> None:
    """Write BENCHMARKS.md again from bench/results/latest.json (after editing findings.md,
    say): `python -m bench.report`."""

    from bench.common import RESULTS

    path = RESULTS / "latest.json"
    results = json.loads(path.read_text())
    results["targets"] = targets(results)
    results["sustainable_clients"] = sustainable_clients(results)
    path.write_text(json.dumps(results, indent=1, default=str))
    (ROOT / "BENCHMARKS.md").write_text(markdown(results))
    print(summary(results))


if __name__ == "__main__":
    main()
