"""`make soak`: a bounded run of mixed public and signed-in traffic against the same
production-like server as `make bench` (gunicorn, production settings, loopback HTTP only), at
the concurrency the benchmark found sustainable. It passes only with zero 5xx responses, zero
failed requests, no worker restarted and the workers' memory flat: the last minute's resident
memory within max(10 %, 20 MB) of the first minute's. Prints a summary; exits 1 on any failure.

Settings, from the environment: SOAK_SECONDS (default 180), SOAK_CLIENTS (default: the
sustainable concurrency bench/results/latest.json records at that scale, else 16),
SOAK_SCALE (1), BENCH_SEED (1), BENCH_WORKERS (2 x cores). A database kept by
`BENCH_KEEP=1 make bench` at that scale is reused; otherwise one is generated for the soak
and dropped afterwards.
"""

import json
import os
import random
import sys
import threading
import time

from bench.common import (
    RESULTS,
    Server,
    Workspace,
    database_exists,
    database_url,
    default_workers,
    drop_database,
    gs_account,
    log,
    manage,
    prepare_database,
    server_url,
    task,
)
from bench.load import Client, MemorySampler, RequestFailed, check, percentile
from bench.run import database_name

#: What the public asks for, by weight.
PUBLIC_MIX = {
    "meetings": 25,
    "reports": 20,
    "searches": 12,
    "committees": 10,
    "months": 8,
    "static": 10,
    "feeds": 5,
    "oparl": 10,
}
SIGNED_IN_SHARE = 0.25
GROWTH_FRACTION = 0.10
GROWTH_MB = 20


def sustainable_clients(scale: float) -> int:
    if os.environ.get("SOAK_CLIENTS"):
        return int(os.environ["SOAK_CLIENTS"])
    latest = RESULTS / "latest.json"
    if latest.exists():
        found = json.loads(latest.read_text()).get("sustainable_clients") or {}
        if isinstance(found, dict) and f"{scale:g}" in found:
            return int(found[f"{scale:g}"])
    return 16


def soak(base: str, pools: dict, *, clients: int, seconds: float, password: str, sampler):
    signed_in = max(1, round(clients * SIGNED_IN_SHARE))
    visitors = []
    for n in range(clients):
        client = Client(base)
        if n < signed_in:
            email, key = gs_account(n, password)
            client.sign_in(email, password, key)
        visitors.append((client, "signed_in" if n < signed_in else "public"))
    kinds, weights = zip(*PUBLIC_MIX.items(), strict=True)
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def visit(n: int, client: Client, kind: str):
        rng = random.Random(n)
        while time.monotonic() < deadline:
            if kind == "signed_in":
                url = rng.choice(pools["manage"]) if rng.random() < 0.8 else "/manage/"
            else:
                url = rng.choice(pools[rng.choices(kinds, weights)[0]])
            t0 = time.perf_counter()
            try:
                status, _body, headers = client.request("GET", url)
                problem = check(status, headers, kind)
            except RequestFailed as error:
                problem = str(error)
            elapsed = time.perf_counter() - t0
            with lock:
                latencies.append(elapsed)
                if problem:
                    failures.append(f"{url}: {problem}")

    sampler.keep = True
    threads = [threading.Thread(target=visit, args=(n, c, k)) for n, (c, k) in enumerate(visitors)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        time.sleep(min(30, max(0.1, deadline - time.monotonic() + 0.1)))
        with lock:
            done, failed = len(latencies), len(failures)
        log(
            f"  {time.monotonic() - started:5.0f} s: {done} requests, {failed} failed, "
            f"largest worker {sampler.peak_worker / 2**20:.0f} MB"
        )
    for thread in threads:
        thread.join()
    sampler.keep = False
    for client, _kind in visitors:
        client.close()
    return latencies, failures, time.monotonic() - started


def memory_windows(samples, seconds: float) -> tuple[float, float]:
    """Mean resident memory of the largest worker over the first and the last minute (or
    third, for a short run)."""
    if not samples:
        return 0.0, 0.0
    window = min(60.0, seconds / 3)
    start, end = samples[0][0], samples[-1][0]
    first = [max(s) for t, s in samples if t - start <= window]
    last = [max(s) for t, s in samples if end - t <= window]
    return sum(first) / len(first) / 2**20, sum(last) / len(last) / 2**20


def main() -> int:
    seconds = float(os.environ.get("SOAK_SECONDS", "180"))
    scale = float(os.environ.get("SOAK_SCALE", "1"))
    seed = int(os.environ.get("BENCH_SEED", "1"))
    clients = sustainable_clients(scale)
    workers = default_workers()
    server = server_url()
    ws = Workspace()
    name = database_name(scale, seed)
    made_here = not database_exists(server, name)
    try:
        if made_here:
            log(f"no kept benchmark database at scale {scale:g}: generating {name}")
            url = prepare_database(ws, server, name, scale, seed)["url"]
        else:
            log(f"reusing {name}")
            url = database_url(server, name)
            task(ws.production(url), "users", ws.password)
        env = ws.production(url)
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        pools = task(env, "pages", str(scale), "soak")["soak"]
        app = Server(env, ws.root, workers)
        pids_before = sorted(app.worker_pids())
        log(f"soaking {app.base} for {seconds:g} s with {clients} clients, {workers} workers")
        sampler = MemorySampler(app.pid, interval=1.0)
        try:
            latencies, failures, elapsed = soak(
                app.base, pools, clients=clients, seconds=seconds, password=ws.password,
                sampler=sampler,
            )  # fmt: skip
        finally:
            sampler.stop()
            pids_after = sorted(app.worker_pids())
            server_errors = app.server_errors()
            app.stop()
    finally:
        ws.remove()
        if made_here:
            drop_database(server, name)

    first, last = memory_windows(sampler.samples, seconds)
    growth_limit = max(first * GROWTH_FRACTION, GROWTH_MB)
    checks = [
        ("no failed request", not failures, f"{len(failures)} failed"),
        ("no 5xx response (access log)", server_errors == 0, f"{server_errors} 5xx"),
        ("no worker restarted", pids_before == pids_after, f"{pids_before} → {pids_after}"),
        (
            f"memory flat (last minute ≤ first + {growth_limit:.0f} MB)",
            last - first <= growth_limit,
            f"largest worker {first:.0f} MB in the first minute, {last:.0f} MB in the last",
        ),
    ]
    result = {
        "seconds": elapsed,
        "clients": clients,
        "workers": workers,
        "requests": len(latencies),
        "rps": len(latencies) / elapsed if elapsed else 0,
        "median_ms": percentile(latencies, 0.5) * 1000 if latencies else None,
        "p95_ms": percentile(latencies, 0.95) * 1000 if latencies else None,
        "failures": failures[:20],
        "rss_first_minute_mb": first,
        "rss_last_minute_mb": last,
        "checks": [{"check": c, "passed": ok, "measured": m} for c, ok, m in checks],
        "scale": scale,
        "finished_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "soak-latest.json").write_text(json.dumps(result, indent=1))
    print()
    print(
        f"Soak: {result['requests']} requests in {elapsed:.0f} s ({result['rps']:.0f} req/s), "
        f"{clients} clients ({max(1, round(clients * SIGNED_IN_SHARE))} signed in), median "
        f"{result['median_ms'] or 0:.0f} ms, p95 {result['p95_ms'] or 0:.0f} ms"
    )
    for check_name, ok, measured in checks:
        print(f"  {'passed' if ok else 'FAILED'}  {check_name}: {measured}")
    for failure in failures[:10]:
        print(f"    {failure}")
    if (RESULTS / "latest.json").exists():
        from bench import report

        report.main()  # BENCHMARKS.md with this soak in it
    return 0 if all(ok for _c, ok, _m in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
