import re

import pytest
from django.test import Client
from django.urls import reverse

from organisation.roles import Role
from tests.conftest import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_html_pages_carry_the_security_headers(client):
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_every_script_is_a_module_carrying_the_nonce_and_none_is_inline(client):
    response = client.get(reverse("home"))
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", response.text, re.S)
    assert scripts, "the page loads the GOV.UK Frontend module"
    for attributes, body in scripts:
        assert 'type="module"' in attributes
        assert f'nonce="{nonce}"' in attributes
        assert "src=" in attributes and body.strip() == ""


def test_hsts_and_secure_cookies_in_production_over_https(settings, client):
    settings.SECURE_HSTS_SECONDS = 63072000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains; preload"
    assert response.cookies["csrftoken"]["secure"]
    assert response.cookies["csrftoken"]["httponly"]


def test_session_cookie_is_http_only_and_same_site(client):
    UserFactory(email="a@council.example")
    client.post(
        reverse("login"),
        {"username": "a@council.example", "password": "correct-horse-battery-staple"},
    )
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_healthz_reports_the_database(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_healthz_says_503_when_the_database_is_unreachable(client, settings, monkeypatch):
    from django.db import connection
    from django.db.utils import OperationalError

    def unreachable(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(connection, "cursor", unreachable)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_healthz_refuses_changes(client):
    assert client.post(reverse("healthz")).status_code == 405


def test_oversized_request_is_refused_before_the_body_is_read(client, settings):
    settings.MAX_REQUEST_BYTES = 1024
    response = client.generic(
        "POST", reverse("login"), data=b"x" * 2048, content_type="application/octet-stream"
    )
    assert response.status_code == 413
    assert "The file is too big" in response.text


def test_missing_page_is_a_govuk_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "govuk-header" in response.text


def test_forbidden_page_is_a_govuk_403(client):
    sign_in(client, UserFactory(roles=[Role.OFFICER]))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 403
    assert "You do not have access to this page" in response.text


@pytest.mark.urls("tests.governance_portal.urls_failing")
def test_server_error_is_a_govuk_500():
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text


def test_form_without_csrf_token_is_refused_with_a_govuk_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "a@b.example", "password": "x"})
    assert response.status_code == 403
    assert "Nothing has been changed" in response.text
