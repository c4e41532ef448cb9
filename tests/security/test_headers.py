"""Security headers on every kind of response: HTML pages, JSON (OParl, healthz), feeds
(Atom, iCalendar), file downloads (a report's file, the agenda pack, OParl's file) and error
pages (400, 403, 404, 405, 413, 429, 500). Every response: nosniff, X-Frame-Options DENY and a
Referrer-Policy; HTML also a Content-Security-Policy with a nonce and no inline script. In
production over HTTPS every response also carries HSTS, and plain HTTP is redirected."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from organisation.roles import Role
from tests.committees.factories import AgendaPackFactory, DocumentFactory, published_report
from tests.factories import UserFactory
from tests.security.support import client_as

pytestmark = pytest.mark.django_db

HSTS = "max-age=63072000; includeSubDomains; preload"


def _responses(client, *, secure=False) -> dict:
    """One response of each kind, keyed by what it is."""
    report = published_report(with_document=False)
    document = DocumentFactory(paper=report)
    pack = AgendaPackFactory()
    officer = Client()
    officer.force_login(UserFactory(roles=[Role.OFFICER]))
    locked = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        locked.post(
            reverse("login"), {"username": "x@council.example", "password": "x"}, secure=secure
        )

    def get(url, who=client, **kwargs):
        return who.get(url, secure=secure, **kwargs)

    bad_multipart = client.generic(
        "POST",
        reverse("login"),
        b"--x\r\nContent-Disposition: form-data; name=" + b"a" * 5000 + b"\r\n\r\n1\r\n--x--\r\n",
        content_type="multipart/form-data; boundary=x",
        secure=secure,
    )
    return {
        "html page": get(reverse("committees:meetings")),
        "html form": get(reverse("login")),
        "oparl json": get(reverse("oparl:system")),
        "oparl json 404": get("/oparl/v1/no-such-list/"),
        "healthz json": get(reverse("healthz")),
        "atom feed": get(reverse("committees:papers_atom")),
        "ical feed": get(reverse("committees:meetings_ics")),
        "document download": get(reverse("committees:document", args=[document.pk])),
        "pack download": get(reverse("committees:meeting_pack", args=[pack.meeting_id])),
        "oparl file download": get(reverse("oparl:file_download", args=[document.pk])),
        "oparl file access": get(reverse("oparl:file_access", args=[document.pk])),
        "404 page": get("/no-such-page/"),
        "403 page": get(reverse("manage:meetings"), who=officer),
        "403 csrf page": Client(enforce_csrf_checks=True).post(reverse("login"), secure=secure),
        "405 answer": get(reverse("logout")),
        "400 answer": bad_multipart,
        "429 page": locked.post(
            reverse("login"), {"username": "x@council.example", "password": "x"}, secure=secure
        ),
        "static file": get("/static/css/portal.css"),
        "400 bad host": get(reverse("committees:meetings"), HTTP_HOST="attacker.example"),
    }


EXPECTED_STATUS = {
    "oparl json 404": 404,
    "404 page": 404,
    "403 page": 403,
    "403 csrf page": 403,
    "405 answer": 405,
    "400 answer": 400,
    "429 page": 429,
    "400 bad host": 400,
}
HTML = {"html page", "html form", "404 page", "403 page", "403 csrf page", "429 page"}


def _assert_common(name, response, status=None):
    assert response.status_code == (status or EXPECTED_STATUS.get(name, 200)), name
    assert response["X-Content-Type-Options"] == "nosniff", name
    assert response["X-Frame-Options"] == "DENY", name
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin", name


def test_every_kind_of_response_carries_the_security_headers(client):
    responses = _responses(client)
    for name, response in responses.items():
        _assert_common(name, response)
        # Whatever answered (a view, WhiteNoise, Django's own 400 for a bad host), a policy
        # that forbids framing and plug-ins.
        csp = response.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, name
    for name in HTML:
        response = responses[name]
        assert response["Content-Type"].startswith("text/html"), name
        csp = response["Content-Security-Policy"]
        assert "script-src 'self' 'nonce-" in csp, name
        assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, name
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, name
        assert "base-uri 'none'" in csp and "form-action 'self'" in csp, name


def test_file_downloads_are_attachments_of_their_true_type(client):
    responses = _responses(client)
    for name in ("document download", "pack download", "oparl file download"):
        response = responses[name]
        assert response["Content-Type"] == "application/pdf", name
        assert response["Content-Disposition"].startswith("attachment;"), name
    # OParl's accessUrl is for showing the file in place (the standard says so); it is still
    # only ever a checked PDF or Word file, of its true type, never sniffed.
    access = responses["oparl file access"]
    assert access["Content-Type"] == "application/pdf"
    assert not access.get("Content-Disposition", "").startswith("attachment")


def test_feeds_and_json_declare_types_a_browser_will_not_run(client):
    responses = _responses(client)
    assert responses["atom feed"]["Content-Type"].startswith("application/atom+xml")
    assert responses["ical feed"]["Content-Type"].startswith("text/calendar")
    for name in ("oparl json", "oparl json 404", "healthz json"):
        assert responses[name]["Content-Type"].startswith("application/json"), name


@pytest.fixture
def production(settings):
    """The production settings that differ from the test ones (settings.py, PORTAL_ENV
    unset): HTTPS only, HSTS for two years with sub-domains and preload, secure cookies."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 63072000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    return settings


def test_in_production_every_response_over_https_carries_hsts(client, production):
    for name, response in _responses(client, secure=True).items():
        _assert_common(name, response)
        assert response["Strict-Transport-Security"] == HSTS, name


def test_in_production_plain_http_is_sent_to_https_with_the_headers(client, production):
    for url in (reverse("committees:meetings"), reverse("login"), reverse("oparl:system")):
        response = client.get(url)
        assert response.status_code == 301
        assert response["Location"] == f"https://testserver{url}"
        assert response["X-Content-Type-Options"] == "nosniff"
    # Load balancers probe the health check over plain HTTP.
    assert client.get(reverse("healthz")).status_code == 200


def test_cookies_set_over_https_in_production_are_secure_and_http_only(production):
    client = client_as(None)
    response = client.get(reverse("login"), secure=True)
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"


@pytest.mark.urls("tests.governance_portal.urls_failing")
def test_the_500_page_carries_the_headers():
    response = Client(raise_request_exception=False).get("/broken/")
    _assert_common("500 page", response, status=500)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp


def _too_big(client, **kwargs):
    return client.generic(
        "POST",
        reverse("login"),
        b"x",
        content_type="application/octet-stream",
        CONTENT_LENGTH=str(10**12),
        **kwargs,
    )


def test_the_413_page_carries_the_headers_set_outside_the_size_check(client, production):
    response = _too_big(client, secure=True)
    assert response.status_code == 413
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Strict-Transport-Security"] == HSTS


PAGE_413_HEADERS = (
    "governance_portal/settings.py MIDDLEWARE puts RequestSizeLimitMiddleware second, just "
    "inside SecurityMiddleware: its early 413 response never passes through "
    "XFrameOptionsMiddleware or CSPMiddleware, so the 413 page (an HTML page extending "
    "base.html) has no X-Frame-Options and no Content-Security-Policy. Move it after "
    "csp.middleware.CSPMiddleware (or last): the body is still never read, because nothing "
    "reads it before the process_view stage"
)


def test_the_413_page_carries_x_frame_options_and_a_content_security_policy(client):
    response = _too_big(client)
    assert response.status_code == 413
    assert response.get("X-Frame-Options") == "DENY"
    assert "frame-ancestors 'none'" in response.get("Content-Security-Policy", "")


# --- Caching of what only one visitor may see ----------------------------------------------------


def test_pages_for_a_signed_in_person_are_never_stored_by_a_browser_or_proxy():
    clerk = client_as(Role.GOVERNANCE_SERVICES)
    for url in (reverse("manage:meetings"), reverse("account"), reverse("committees:meetings")):
        response = clerk.get(url)
        assert response.status_code == 200, url
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, url
        assert "public" not in directives and not any(d.startswith("max-age") for d in directives)


def test_a_page_carrying_a_form_token_is_never_stored_either(client):
    response = client.get(reverse("login"))
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_public_pages_for_anonymous_visitors_may_be_stored(client):
    response = client.get(reverse("committees:meetings"))
    assert "no-store" not in response.get("Cache-Control", "")
