"""`make bench`: the portal at council scale, measured over HTTP, written to BENCHMARKS.md.

For each scale (1, then 10): a fresh database on the PostgreSQL server (DATABASE_URL, else
the embedded one, held by this process for the whole run), migrated and filled by
`python -m bench.volume`; the SQL queries each key page costs (test client, same database);
then gunicorn started as the README deploys it (production settings, DEBUG off, 2 x cores sync
workers, static files collected into a temporary STATIC_ROOT, loopback HTTP only) and driven
by bench/load.py in a process of its own at 1, 8, (16,) and 32 clients per page, with the
"floor" page (one trivial query, minimal template) as the denominator; then the public pages
again at 16 clients while a script makes a clerk's change a second (bench/mixed.py). Pages
that miss a target at the largest scale are profiled. Then the 200-page agenda pack build
(bench/bench_pack.py) is timed, and BENCHMARKS.md and bench/results/latest.json are written.

Settings, from the environment: BENCH_SCALES (default "1,10"), BENCH_SEED (1),
BENCH_SECONDS (2, per page and client count), BENCH_WORKERS (2 x cores), BENCH_KEEP=1 keeps
the databases afterwards, BENCH_REUSE=1 reuses kept ones instead of generating again.
"""

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time

from bench import report
from bench.common import (
    PYTHON,
    RESULTS,
    ROOT,
    Server,
    Workspace,
    database_exists,
    database_url,
    default_workers,
    drop_database,
    log,
    machine,
    manage,
    prepare_database,
    server_url,
    server_version,
    task,
)

TARGET_CLIENTS = 16


def levels_for(scale: float, largest: float) -> list[int]:
    return [1, 8, TARGET_CLIENTS, 32] if scale == largest else [1, 8, 32]


def database_name(scale: float, seed: int) -> str:
    return f"portal_bench_s{scale:g}_seed{seed}".replace(".", "_")


def bench_scale(ws, server, scale, seed, *, largest, settings, previous) -> dict:
    name = database_name(scale, seed)
    if settings["reuse"] and database_exists(server, name) and previous.get(str(scale)):
        log(f"scale {scale:g}: reusing database {name}")
        data = previous[str(scale)]["data"]
        data["url"] = database_url(server, name)
        data["reused"] = True
        # The code may have moved on since the data was generated.
        manage(ws.production(data["url"]), "migrate", "--verbosity", "0")
        task(ws.production(data["url"]), "users", ws.password)
    else:
        log(f"scale {scale:g}: creating {name}, migrating, generating")
        data = prepare_database(ws, server, name, scale, seed)
        log(f"scale {scale:g}: loaded in {data['seconds']:.0f} s, {data['bytes'] / 1e9:.2f} GB")
    env = ws.production(data["url"])
    pages = task(env, "pages", str(scale))
    pages_path = ws.root / f"pages-{name}.json"
    pages_path.write_text(json.dumps(pages))
    log(f"scale {scale:g}: counting SQL queries per page")
    queries = task(
        ws.production(data["url"], ALLOWED_HOSTS="testserver"), "queries", str(pages_path)
    )
    log(f"scale {scale:g}: timing each page with the page cache off")
    uncached = task(
        ws.production(data["url"], ALLOWED_HOSTS="testserver"), "uncached", str(pages_path)
    )

    server_process = Server(env, ws.root, settings["workers"])
    log(f"scale {scale:g}: gunicorn on {server_process.base}, {settings['workers']} workers")
    plan = {
        "base": server_process.base,
        "master_pid": server_process.pid,
        "levels": levels_for(scale, largest),
        "seconds": settings["seconds"],
        "min_requests": 10,
        "max_seconds": max(10.0, 3 * settings["seconds"]),
        "warmup_seconds": 0.5,
        "password": ws.password,
        "pages": pages["pages"],
    }
    plan_path = ws.root / f"plan-{name}.json"
    out_path = ws.root / f"load-{name}.json"
    plan_path.write_text(json.dumps(plan))
    mixed_path = ws.root / f"mixed-{name}.json"
    try:
        subprocess.run(
            [PYTHON, "-m", "bench.load", str(plan_path), str(out_path)], cwd=ROOT, check=True
        )
        log(f"scale {scale:g}: the public pages while Governance Services make changes")
        subprocess.run(
            [PYTHON, "-m", "bench.mixed", str(plan_path), str(mixed_path)],
            cwd=ROOT,
            env={**env, "PYTHONPATH": str(ROOT)},
            check=True,
        )
    finally:
        server_errors = server_process.server_errors()
        server_process.stop()
    load = json.loads(out_path.read_text())
    result = {
        "scale": scale,
        "data": {k: v for k, v in data.items() if k != "url"},
        "queries": queries,
        "uncached_ms": uncached,
        "load": load,
        "mixed": json.loads(mixed_path.read_text()),
        "server_5xx": server_errors,
        "levels": plan["levels"],
    }
    if scale == largest:
        missed = report.missed_pages(result)
        if missed:
            log(f"scale {scale:g}: profiling the pages that missed: {', '.join(missed)}")
            subset = {"pages": [p for p in pages["pages"] if p["name"] in missed]}
            subset_path = ws.root / "missed.json"
            subset_path.write_text(json.dumps(subset))
            result["profiles"] = task(
                ws.production(data["url"], ALLOWED_HOSTS="testserver"),
                "profile",
                str(subset_path),
            )
    if not settings["keep"]:
        drop_database(server, name)
    return result


def bench_pack(server: str) -> dict:
    """bench/bench_pack.py in a throw-away test database on the same server."""
    log("timing a ~200-page agenda pack build")
    name = "test_portal_bench_pack"
    env = {k: v for k, v in os.environ.items() if k not in {"PORTAL_ENV", "DEBUG"}}
    env.update(DATABASE_URL=server, TEST_DATABASE_NAME=name, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [PYTHON, "bench/bench_pack.py"],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE,
    ).stdout
    print(out, end="")
    drop_database(server, name)
    match = re.search(r"pages=(\d+) size=([\d.]+) MB build=([\d.]+) s", out)
    if not match:
        raise RuntimeError("bench_pack.py did not report a build")
    return {"pages": int(match[1]), "megabytes": float(match[2]), "seconds": float(match[3])}


def main() -> None:
    started = time.monotonic()
    settings = {
        "scales": [float(s) for s in os.environ.get("BENCH_SCALES", "1,10").split(",")],
        "seed": int(os.environ.get("BENCH_SEED", "1")),
        "seconds": float(os.environ.get("BENCH_SECONDS", "2")),
        "workers": default_workers(),
        "keep": os.environ.get("BENCH_KEEP") == "1",
        "reuse": os.environ.get("BENCH_REUSE") == "1",
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    latest = RESULTS / "latest.json"
    previous = {}
    if settings["reuse"] and latest.exists():
        previous = {str(s["scale"]): s for s in json.loads(latest.read_text())["scales"]}
    info = machine()
    server = server_url()
    ws = Workspace()
    try:
        log("collecting static files into a temporary STATIC_ROOT")
        manage(ws.production(server), "collectstatic", "--noinput", "--verbosity", "0")
        largest = max(settings["scales"])
        scales = [
            bench_scale(
                ws,
                server,
                scale,
                settings["seed"],
                largest=largest,
                settings=settings,
                previous=previous,
            )
            for scale in settings["scales"]
        ]
        pack = bench_pack(server)
    finally:
        ws.remove()
    info["load_after"] = os.getloadavg()
    results = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": info,
        "postgresql": server_version(server),
        "command": "make bench",
        "settings": settings,
        "scales": scales,
        "pack": pack,
        "minutes": (time.monotonic() - started) / 60,
    }
    results["targets"] = report.targets(results)
    results["sustainable_clients"] = report.sustainable_clients(results)
    latest.write_text(json.dumps(results, indent=1, default=str))
    (RESULTS / f"bench-{dt.datetime.now():%Y%m%d-%H%M%S}.json").write_text(
        json.dumps(results, indent=1, default=str)
    )
    (ROOT / "BENCHMARKS.md").write_text(report.markdown(results))
    print()
    print(report.summary(results))
    log(f"BENCHMARKS.md written; make bench took {results['minutes']:.1f} minutes")


if __name__ == "__main__":
    sys.exit(main())
