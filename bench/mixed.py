"""The mixed run of `make bench`: the public pages measured while Governance Services make
changes, one a second (`python -m bench.mixed PLAN.json RESULTS.json`, started by bench/run.py
against the server the read-only load test used, in the environment of that server's database).

A clerk's change (bench/tasks.py `changes`: an item of a draft agenda edited through the
services) is a write to a watched model, so it advances the page cache's content version and
makes every cached page unreachable, whether or not the page shows what changed. This run
measures what that costs the public: for the floor and each public page, `clients` clients for
`seconds` (after the same warm-up as the load test) while the changes go on, with the share of
answers served from the page cache (the `X-Page-Cache: hit` header) beside the p95 and
throughput that bench/report.py holds to the read-only targets.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import PYTHON, ROOT
from bench.load import Client, run

CLIENTS = 16


def drive(plan: dict, env: dict, emit=print) -> dict:
    pages = [p for p in plan["pages"] if p["kind"] in ("floor", "public")]
    clients = [Client(plan["base"]) for _ in range(CLIENTS)]
    running = Path(tempfile.mkstemp(prefix="portal-bench-changes-")[1])
    changer = subprocess.Popen(
        [PYTHON, "-m", "bench.tasks", "changes", str(running)],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
    )
    time.sleep(3)  # the changer's Django start-up, so every page is measured under changes
    results = []
    try:
        for page in pages:
            run(
                clients[:8],
                page["urls"],
                page["kind"],
                seconds=plan["warmup_seconds"],
                min_requests=len(page["urls"]) + 4,
                max_seconds=5,
            )
            result = run(
                clients,
                page["urls"],
                page["kind"],
                seconds=plan["seconds"],
                min_requests=plan["min_requests"],
                max_seconds=plan["max_seconds"],
            )
            result.update(page=page["name"], kind=page["kind"], clients=CLIENTS)
            results.append(result)
            emit(
                f"  {page['name']:<26} {CLIENTS:>3} clients  {result['requests']:>6} req  "
                f"p95 {result['p95_ms']:8.1f} ms  {result['rps']:8.1f} req/s  "
                f"cache hits {result['cache_hits'] / max(1, result['requests']):4.0%}  "
                f"errors {result['errors']}"
            )
    finally:
        running.unlink(missing_ok=True)
        out, _ = changer.communicate(timeout=60)
        for client in clients:
            client.close()
    if changer.returncode != 0:
        raise RuntimeError("the changes did not run")
    return {"runs": results, "changes": json.loads(out)}


def main() -> None:
    plan_path, out_path = sys.argv[1:3]
    plan = json.loads(Path(plan_path).read_text())
    results = drive(plan, dict(os.environ), emit=lambda line: print(line, flush=True))
    Path(out_path).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
