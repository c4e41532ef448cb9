"""Whole-page cache for anonymous visitors, which no change can leave stale.

Public pages are the same for every anonymous visitor and change only when a row they are
built from changes. Every write to a watched model (through the services, the admin or a
bulk operation that calls `content_changed`) advances one PostgreSQL sequence, the content
version; a cached page is stored and looked up under the version read at the start of the
request, so a change makes every older entry unreachable at once, across all workers and
servers, whatever cache backend holds the pages.

The version advances twice for a change made inside a transaction: at once (so a request in
the same thread, a test's, sees it) and again after commit. A page rendered from data read
before the commit can only have been stored under a version older than the second advance,
so no visitor is served a page older than the last committed change. The cache timeout
bounds the one case left: a process that dies between its commit and the second advance.

Only GET and HEAD requests without a session cookie are served from the cache, and only
whole 200 responses that set no cookie and carry no CSRF token are stored. Pages carry a CSP
nonce: the stored copy has the nonce of the request that rendered it, replaced by the
current request's on the way out, so every response still has its own nonce.

`PAGE_CACHE_SECONDS = 0` turns the cache off (the test settings do, so that query-count
tests measure the page, not the cache; the cache's own tests turn it on).
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

CACHE_ALIAS = "pages"
#: Saves of only these fields change nothing a visitor sees (a sign-in records last_login).
IGNORED_FIELDS = frozenset({"last_login"})
#: Response headers a view sets that belong to the page (middleware adds the rest).
STORED_HEADERS = (
    "Content-Type",
    "Content-Disposition",
    "Content-Language",
    "Link",
    "Access-Control-Allow-Origin",
)


def current_version() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM portal_content_version")
        return cursor.fetchone()[0]


def _advance():
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('portal_content_version')")


def content_changed(*, unseen_while=None):
    """Make every cached page unreachable: now, and again once the transaction commits.

    `unseen_while`, if given, asks whether no public page can show what changed (the business
    of a meeting whose agenda and minutes are unpublished): while it answers yes, the pages
    stay. It is asked again once the transaction commits, and the version advances then if
    the answer has changed, so a publication committed while this change was being made is
    never left with a page built from the row as it was before."""
    if unseen_while is not None and unseen_while():
        if connection.in_atomic_block:
            transaction.on_commit(lambda: unseen_while() or _advance())
        return
    _advance()
    if connection.in_atomic_block:
        sids = set(connection.savepoint_ids)
        # One advance after commit is enough however many rows the transaction writes.
        if not any(
            func is _advance and callback_sids == sids
            for callback_sids, func, _ in connection.run_on_commit
        ):
            transaction.on_commit(_advance)


#: Per model, the check that no public page shows a row of it (watch(unseen_while=...)).
_UNSEEN_WHILE = {}


def _on_write(sender, **kwargs):
    if kwargs.get("raw"):  # fixtures being loaded
        return
    update_fields = kwargs.get("update_fields")
    if update_fields and set(update_fields) <= IGNORED_FIELDS:
        return
    check, instance = _UNSEEN_WHILE.get(sender), kwargs.get("instance")
    if check is not None and instance is not None:
        content_changed(unseen_while=lambda: check(instance))
    else:
        content_changed()


def watch(*models, unseen_while=None):
    """Advance the content version whenever one of `models` is saved, deleted or has its
    many-to-many relations changed. Call from AppConfig.ready(). `unseen_while(row)`, if
    given, says when no public page can show a row (see content_changed): writes to such a
    row leave the cached pages where they are."""
    for model in models:
        uid = f"pagecache:{model._meta.label}"
        if unseen_while is not None:
            _UNSEEN_WHILE[model] = unseen_while
        post_save.connect(_on_write, sender=model, dispatch_uid=uid + ":save")
        post_delete.connect(_on_write, sender=model, dispatch_uid=uid + ":delete")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                _on_write, sender=field.remote_field.through, dispatch_uid=f"{uid}:{field.name}"
            )


def watch_app(app_config, *, unseen=(), unseen_while=None):
    """watch() every model of the app but its history models, which are only ever written
    with the rows they record, and the `unseen` ones, which no public page shows (a log of
    who read what, written when a signed-in person reads). `unseen_while(row)`: see watch;
    it answers for every model of the app (no for the models it does not know)."""
    watch(
        *(
            m
            for m in app_config.get_models()
            if not m._meta.model_name.startswith("historical") and m not in unseen
        ),
        unseen_while=unseen_while,
    )


def _key(request, version: int) -> str:
    today = timezone.localdate().isoformat()  # pages that say "upcoming" change at midnight
    raw = "\n".join(
        [str(version), today, request.scheme, request.get_host(), request.get_full_path()]
    )
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def _cacheable_request(request) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def _cacheable_response(request, response) -> bool:
    return (
        response.status_code == 200
        # A page carrying a CSRF token is one visitor's: the token matches their cookie.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not response.streaming
        and not response.cookies
        and isinstance(response, HttpResponse)
    )


def anonymous_page(view):
    """Serve `view` from the page cache to visitors who are not signed in.

    Put it outside the access decorator: an anonymous visitor's access to a public page does
    not vary, and only 200 responses are stored."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        cache = caches[CACHE_ALIAS]
        key = _key(request, current_version())
        stored = cache.get(key)
        if stored is not None:
            return _replay(request, stored)
        response = view(request, *args, **kwargs)
        if _cacheable_response(request, response):
            cache.set(key, _record(request, response), settings.PAGE_CACHE_SECONDS)
        return response

    return wrapped


def _record(request, response) -> dict:
    return {
        "content": response.content,
        "headers": [(h, response[h]) for h in STORED_HEADERS if h in response],
        "nonce": getattr(request, "_csp_nonce", None),
    }


def _replay(request, stored: dict) -> HttpResponse:
    content = stored["content"]
    if stored["nonce"]:
        content = content.replace(stored["nonce"].encode(), str(request.csp_nonce).encode())
    response = HttpResponse(content)
    for header, value in stored["headers"]:
        response[header] = value
    response["X-Page-Cache"] = "hit"
    # As the rendered answer says: what a signed-in visitor gets differs.
    patch_vary_headers(response, ("Cookie",))
    return response
