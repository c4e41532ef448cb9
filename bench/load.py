"""The load driver: concurrent HTTP clients against the running server, in a process of its
own (`python -m bench.load PLAN.json RESULTS.json`).

Why Python threads with http.client rather than wrk: the logged-in pages need each client to
sign in through the real form (a CSRF token from the page, then the session cookie), every
response is checked (status, not redirected to sign-in), and gunicorn's sync workers close the
connection after each response anyway, so wrk's keep-alive pipelining would buy nothing.
Each client is one thread with its own connection (kept alive where the server allows it,
re-opened where it does not), so a client's requests are sequential and the server sees
exactly `clients` requests at a time. A run stops after `seconds` once it has at least
`min_requests`, and never later than `max_seconds`, so slow pages are measured on enough
requests and fast ones do not run for ever. Once a page's p95 passes `saturated_p95_ms`
(10 s), its larger client counts are skipped: they would only queue for minutes.
"""

import contextlib
import http.client
import json
import math
import re
import statistics
import sys
import threading
import time
from urllib.parse import urlencode, urlsplit

from django_otp.oath import totp

from bench.common import gs_account, mo_account

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TWO_FACTOR = "/account/two-factor/"
#: The signed-in kinds of page, and the accounts their clients sign in as.
ACCOUNTS = {"signed_in": gs_account, "monitoring_officer": mo_account}
#: What the page answering a submission says once the concern is sent.
SENT = b"Concern sent"


class RequestFailed(Exception):
    pass


class Client:
    """One visitor: a connection and the cookies the server set."""

    def __init__(self, base: str, timeout: float = 60):
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes, dict]:
        headers = {"User-Agent": "portal-bench", "Accept": "text/html,*/*"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError) as error:
            self.connection.close()
            raise RequestFailed(f"{method} {path}: {type(error).__name__}: {error}") from error
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookie, _, attributes = value.partition(";")
                key, _, cookie_value = cookie.strip().partition("=")
                if cookie_value == "" or "max-age=0" in attributes.lower():
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = cookie_value
        return response.status, data, dict(response.getheaders())

    def sign_in(self, email: str, password: str, key: str) -> None:
        """Through the real forms, as a person does: the password, then the code of the
        account's authenticator app (`key`, hex), each with its form's CSRF token."""
        headers = self._post_form("/sign-in/", {"username": email, "password": password})
        if "sessionid" not in self.cookies:
            raise RequestFailed(f"sign-in refused: {headers.get('Location', '')}")
        code = f"{totp(bytes.fromhex(key)):06d}"
        self._post_form(TWO_FACTOR, {"code": code})

    def _post_form(self, path: str, fields: dict) -> dict:
        status, body, _ = self.request("GET", path)
        match = TOKEN.search(body.decode("utf-8", "replace"))
        if status != 200 or match is None:
            raise RequestFailed(f"{path} form: {status}")
        form = urlencode({"csrfmiddlewaretoken": match[1], **fields})
        status, _, headers = self.request("POST", path, form)
        if status != 302:
            raise RequestFailed(f"{path} refused: {status}")
        return headers

    def csrf_token(self, form_page: str) -> str:
        """A CSRF token for posting forms (read once from `form_page`; the cookie it sets
        goes with every later request)."""
        if not getattr(self, "_csrf", None):
            status, body, _ = self.request("GET", form_page)
            match = TOKEN.search(body.decode("utf-8", "replace"))
            if status != 200 or match is None:
                raise RequestFailed(f"{form_page} form: {status}")
            self._csrf = match[1]
        return self._csrf

    def close(self) -> None:
        self.connection.close()


class Drafts:
    """The finished drafts of a submission page (bench/tasks.py), each sent once, shared by
    the clients."""

    def __init__(self, tokens: list[str]):
        self._tokens = iter(tokens)
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            token = next(self._tokens, None)
        if token is None:
            raise RequestFailed("no draft left to send")
        return token


def check(status: int, headers: dict, kind: str, body: bytes = b"") -> str:
    """'' if the response is what the page should answer, else why not."""
    if status != 200:
        where = headers.get("Location", "")
        return f"{status} {where}".strip()
    if kind == "submission" and SENT not in body:
        return "not sent (the check-your-answers page came back)"
    return ""


def submit(client: Client, url: str, page: dict, drafts: Drafts):
    """Send one finished draft from check-your-answers, as the reporter's browser does."""
    form = urlencode(
        {
            "csrfmiddlewaretoken": client.csrf_token(page["form"]),
            "draft": drafts.next(),
            "under_policy": "on",
        }
    )
    return client.request("POST", url, form)


class MemorySampler:
    """The gunicorn workers' resident memory, sampled in the background: the peak of any one
    worker, and of their sum."""

    def __init__(self, master_pid: int, interval: float = 0.25):
        import psutil

        self.master = psutil.Process(master_pid)
        self.interval = interval
        self.peak_worker = 0
        self.peak_total = 0
        self.samples: list[tuple[float, list[int]]] = []
        self.keep = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        import psutil

        while not self._stop.is_set():
            sizes = []
            for child in self.master.children():
                with contextlib.suppress(psutil.Error):
                    sizes.append(child.memory_info().rss)
            if sizes:
                self.peak_worker = max(self.peak_worker, max(sizes))
                self.peak_total = max(self.peak_total, sum(sizes))
                if self.keep:
                    self.samples.append((time.monotonic(), sizes))
            self._stop.wait(self.interval)

    def reset(self):
        self.peak_worker = self.peak_total = 0

    def stop(self):
        self._stop.set()
        self._thread.join()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def run(clients: list[Client], urls: list[str], kind: str, *, seconds, min_requests,
        max_seconds, page: dict | None = None, drafts: Drafts | None = None) -> dict:  # fmt: skip
    """`len(clients)` clients at once, each requesting `urls` in turn (for a submission
    page, each request sends one of `drafts`)."""
    latencies: list[list[float]] = [[] for _ in clients]
    failures: list[list[str]] = [[] for _ in clients]
    hits = [0] * len(clients)
    sizes = [0] * len(clients)
    done = [0]
    lock = threading.Lock()
    start_gate = threading.Barrier(len(clients) + 1)
    started = [0.0]
    finished = [0.0] * len(clients)

    def worker(n: int, client: Client):
        start_gate.wait()
        i = n
        while True:
            elapsed = time.perf_counter() - started[0]
            with lock:
                enough = done[0] >= min_requests
            if elapsed >= max_seconds or (elapsed >= seconds and enough):
                break
            url = urls[i % len(urls)]
            i += 1
            if kind == "submission":
                try:
                    client.csrf_token(page["form"])  # once per client, before the clock starts
                except RequestFailed as error:
                    failures[n].append(str(error))
                    break
            t0 = time.perf_counter()
            try:
                if kind == "submission":
                    status, body, headers = submit(client, url, page, drafts)
                else:
                    status, body, headers = client.request("GET", url)
                problem = check(status, headers, kind, body)
            except RequestFailed as error:
                problem, body = str(error), b""
            latencies[n].append(time.perf_counter() - t0)
            sizes[n] += len(body)
            if not problem and headers.get("X-Page-Cache") == "hit":
                hits[n] += 1
            if problem:
                failures[n].append(f"{url}: {problem}")
            with lock:
                done[0] += 1
        finished[n] = time.perf_counter()

    threads = [threading.Thread(target=worker, args=(n, c)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    started[0] = time.perf_counter()
    start_gate.wait()
    for thread in threads:
        thread.join()
    wall = max(finished) - started[0]
    flat = [x for per in latencies for x in per]
    errors = [x for per in failures for x in per]
    return {
        "requests": len(flat),
        "errors": len(errors),
        "error_samples": errors[:5],
        "seconds": round(wall, 3),
        "rps": len(flat) / wall if wall else 0.0,
        "median_ms": statistics.median(flat) * 1000 if flat else None,
        "p95_ms": percentile(flat, 0.95) * 1000 if flat else None,
        "p99_ms": percentile(flat, 0.99) * 1000 if flat else None,
        "max_ms": max(flat) * 1000 if flat else None,
        "bytes": sum(sizes) // max(1, len(flat)),
        "cache_hits": sum(hits),
    }


def drive(plan: dict, emit=print) -> dict:
    base = plan["base"]
    levels = plan["levels"]
    most = max(levels)
    sampler = MemorySampler(plan["master_pid"])
    anonymous = [Client(base) for _ in range(most)]
    pools = {}
    started = time.perf_counter()
    for kind, account in ACCOUNTS.items():
        if any(p["kind"] == kind for p in plan["pages"]):
            pools[kind] = []
            for n in range(most):
                client = Client(base)
                email, key = account(n, plan["password"])
                client.sign_in(email, plan["password"], key)
                pools[kind].append(client)
    signed_in = [client for pool in pools.values() for client in pool]
    login_seconds = time.perf_counter() - started
    results = []
    order = [p for p in plan["pages"] if p["kind"] == "floor"]
    order += [p for p in plan["pages"] if p["kind"] != "floor"] + order  # floor first and last
    for position, page in enumerate(order):
        pool = pools.get(page["kind"], anonymous)
        drafts = Drafts(page.get("drafts", []))
        # Warm up: every worker renders every URL of the page before it is measured.
        run(
            pool[: min(8, most)],
            page["urls"],
            page["kind"],
            seconds=plan["warmup_seconds"],
            min_requests=len(page["urls"]) + 4,
            max_seconds=5,
            page=page,
            drafts=drafts,
        )
        saturated = None
        for level in levels:
            common = {
                "page": page["name"],
                "kind": page["kind"],
                "clients": level,
                "pass_": 0 if position < len(order) - 1 else 1,
            }
            if saturated is not None:
                # More clients would only queue behind requests that already take this long,
                # for minutes: recorded as not measured (and as a miss).
                results.append({**common, "skipped": saturated, "requests": 0, "errors": 0})
                emit(f"  {page['name']:<26} {level:>3} clients  skipped: {saturated}")
                continue
            sampler.reset()
            result = run(
                pool[:level],
                page["urls"],
                page["kind"],
                seconds=plan["seconds"],
                min_requests=plan["min_requests"],
                max_seconds=plan["max_seconds"],
                page=page,
                drafts=drafts,
            )
            result.update(
                common,
                worker_rss_mb=sampler.peak_worker / 2**20,
                workers_rss_mb=sampler.peak_total / 2**20,
            )
            results.append(result)
            emit(
                f"  {page['name']:<26} {level:>3} clients  {result['requests']:>6} req  "
                f"median {result['median_ms']:8.1f} ms  p95 {result['p95_ms']:8.1f} ms  "
                f"{result['rps']:8.1f} req/s  errors {result['errors']}"
            )
            if result["p95_ms"] > plan.get("saturated_p95_ms", 10_000):
                saturated = f"p95 already {result['p95_ms'] / 1000:.0f} s at {level} clients"
    sampler.stop()
    for client in anonymous + signed_in:
        client.close()
    return {"runs": results, "sign_ins": len(signed_in), "sign_in_seconds": login_seconds}


def main() -> None:
    plan_path, out_path = sys.argv[1:3]
    with open(plan_path) as handle:
        plan = json.load(handle)
    results = drive(plan, emit=lambda line: print(line, flush=True))
    with open(out_path, "w") as handle:
        json.dump(results, handle, indent=1)


if __name__ == "__main__":
    main()
