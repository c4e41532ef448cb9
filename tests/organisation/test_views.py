import re
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from organisation import queries
from organisation.models import TwoFactorEnrolment
from organisation.roles import Role
from tests.conftest import sign_in
from tests.factories import (
    PASSWORD,
    DirectorateFactory,
    ServiceFactory,
    TOTPDeviceFactory,
    UserFactory,
    issue_set_up_link,
)
from tests.organisation.test_services import code_for

pytestmark = pytest.mark.django_db


def post_sign_in(client, email, password=PASSWORD):
    return client.post(reverse("login"), {"username": email, "password": password})


def _comparable(page: str, email_prefix: str) -> str:
    """The page without what differs on every render (CSRF token, CSP nonce) or was typed."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    page = re.sub(r'nonce="[^"]+"', "", page)
    return page.replace(email_prefix, "X@")


class TestSignIn:
    def test_signs_in_by_email_in_any_case(self, client):
        UserFactory(email="suzanne.bennett@council.example", roles=[Role.GOVERNANCE_SERVICES])
        response = post_sign_in(client, "Suzanne.Bennett@COUNCIL.example")
        assert response.status_code == 302
        assert response["Location"] == reverse("home")
        assert SESSION_KEY in client.session

    def test_unknown_and_known_accounts_get_the_same_answer(self, client):
        UserFactory(email="known@council.example")
        known = post_sign_in(client, "known@council.example", "wrong-password")
        unknown = post_sign_in(client, "nobody@council.example", "wrong-password")
        for response in (known, unknown):
            assert response.status_code == 200
            assert "Enter a correct email address and password" in response.text
            assert "<title>Error: Sign in" in response.text
        assert _comparable(known.text, "known@") == _comparable(unknown.text, "nobody@")

    def test_missing_fields_get_govuk_messages(self, client):
        response = client.post(reverse("login"), {"username": "", "password": ""})
        assert "There is a problem" in response.text
        assert "Enter your email address" in response.text
        assert "Enter your password" in response.text

    def test_repeated_failures_lock_the_account_out_even_with_the_right_password(self, client):
        UserFactory(email="target@council.example")
        for _ in range(5):
            post_sign_in(client, "target@council.example", "guess")
        response = post_sign_in(client, "target@council.example")
        assert response.status_code == 429
        assert "Too many attempts to sign in" in response.text
        assert SESSION_KEY not in client.session

    def test_a_successful_sign_in_leaves_no_address_or_browser_behind(self, client):
        from axes.models import AccessLog

        UserFactory(email="reporter@council.example")
        response = post_sign_in(client, "reporter@council.example")
        assert response.status_code == 302
        assert not AccessLog.objects.exists()

    def test_an_inactive_account_cannot_sign_in(self, client):
        UserFactory(email="gone@council.example", is_active=False)
        response = post_sign_in(client, "gone@council.example")
        assert "Enter a correct email address and password" in response.text

    def test_next_page_outside_the_site_is_ignored(self, client):
        UserFactory(email="a@council.example")
        response = client.post(
            reverse("login") + "?next=https://evil.example/",
            {"username": "a@council.example", "password": PASSWORD},
        )
        assert response["Location"] == reverse("home")


class TestSignOut:
    def test_get_does_not_sign_out(self, client):
        sign_in(client, UserFactory())
        assert client.get(reverse("logout")).status_code == 405
        assert SESSION_KEY in client.session

    def test_post_signs_out(self, client):
        sign_in(client, UserFactory())
        response = client.post(reverse("logout"), follow=True)
        assert SESSION_KEY not in client.session
        assert "You have signed out" in response.text

    def test_sign_out_needs_a_csrf_token(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        sign_in(client, UserFactory())
        response = client.post(reverse("logout"))
        assert response.status_code == 403
        assert SESSION_KEY in client.session


class TestTwoFactor:
    def test_privileged_role_must_give_a_code_before_anything_else(self, client, privileged_role):
        user = UserFactory(roles=[privileged_role])
        TOTPDeviceFactory(user=user)
        response = post_sign_in(client, user.email)
        assert response.status_code == 302
        response = client.get(response["Location"])
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("two_factor_verify"))
        assert client.get(reverse("account"))["Location"].startswith(reverse("two_factor_verify"))

    def test_privileged_role_without_an_app_is_sent_to_set_one_up(self, client):
        user = UserFactory(roles=[Role.MONITORING_OFFICER])
        sign_in(client, user, verified=False)
        response = client.get(reverse("home"))
        assert response["Location"].startswith(reverse("two_factor_setup"))

    def test_right_code_opens_the_portal_wrong_code_does_not(self, client):
        user = UserFactory(roles=[Role.SIRO])
        device = TOTPDeviceFactory(user=user)
        sign_in(client, user, verified=False)
        url = reverse("two_factor_verify") + "?next=/account/"
        wrong = "000000" if code_for(device) != "000000" else "111111"
        response = client.post(url, {"code": wrong, "next": "/account/"})
        assert "The code is wrong or has expired" in response.text
        assert client.get(reverse("account")).status_code == 302

        device.refresh_from_db()
        device.throttle_reset()
        response = client.post(url, {"code": code_for(device), "next": "/account/"})
        assert response["Location"] == "/account/"
        assert client.get(reverse("account")).status_code == 200

    @pytest.mark.parametrize(
        ("code", "message"),
        [
            ("", "Enter the 6-digit code from your authenticator app"),
            ("12345", "Enter the code as 6 digits"),
            ("abcdef", "Enter the code as 6 digits"),
            ("<script>", "Enter the code as 6 digits"),
            ("1" * 21, "Ensure this value has at most 20 characters"),
        ],
    )
    def test_malformed_codes_get_clear_messages(self, client, code, message):
        user = UserFactory(roles=[Role.SIRO])
        TOTPDeviceFactory(user=user)
        sign_in(client, user, verified=False)
        response = client.post(reverse("two_factor_verify"), {"code": code})
        assert message in response.text
        assert "<script>" not in response.text.split("<main", 1)[1]

    def test_setting_up_an_app_with_a_set_up_link(self, client):
        user = UserFactory(roles=[Role.ADMINISTRATOR])
        sign_in(client, user, verified=False)
        url = reverse("two_factor_setup")
        assert client.get(issue_set_up_link(user))["Location"] == url
        page = client.get(url).text
        assert "Start" in page and "You have until" in page
        assert not TOTPDevice.objects.filter(user=user).exists(), "GET must change nothing"

        client.post(url, {"start": "1"})
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        page = client.get(url).text
        assert "<svg" in page and device.key in page

        response = client.post(url, {"code": code_for(device)})
        assert response.status_code == 302
        device.refresh_from_db()
        assert device.confirmed
        assert client.get(reverse("admin:index")).status_code == 200

    def test_without_a_link_the_set_up_page_says_how_to_get_one(self, client):
        user = UserFactory(roles=[Role.SIRO], email="siro@council.example")
        sign_in(client, user, verified=False)
        page = client.get(reverse("two_factor_setup")).text
        assert "Ask an administrator to send a set-up link to your email address" in page
        assert "siro@council.example" in page
        assert 'name="start"' not in page and 'name="code"' not in page

    def test_a_superuser_is_told_to_use_the_command_line(self, client):
        user = UserFactory(is_superuser=True, email="root@council.example")
        sign_in(client, user, verified=False)
        page = client.get(reverse("two_factor_setup")).text
        assert "manage.py issue_two_factor_enrolment root@council.example --show" in page

    def test_with_an_app_the_set_up_page_asks_for_its_code_to_replace_it(self, client):
        user = UserFactory(roles=[Role.SIRO])
        old = TOTPDeviceFactory(user=user)
        sign_in(client, user)
        url = reverse("two_factor_setup")
        page = client.get(url).text
        assert "Replace your authenticator app" in page
        assert "Code from your current authenticator app" in page

        wrong = "000000" if code_for(old) != "000000" else "111111"
        response = client.post(url, {"code": wrong})
        assert "The code is wrong or has expired" in response.text
        assert "<title>Error: Replace your authenticator app" in response.text

        old.refresh_from_db()
        old.throttle_reset()
        assert client.post(url, {"code": code_for(old)})["Location"] == url
        page = client.get(url).text
        assert "The new app replaces the one you have now" in page
        client.post(url, {"start": "1"})
        new = TOTPDevice.objects.get(user=user, confirmed=False)
        assert "Code from your new authenticator app" in client.get(url).text
        response = client.post(url, {"code": code_for(new)})
        assert response["Location"] == reverse("account")
        assert list(TOTPDevice.objects.filter(user=user)) == [new]

    def test_starting_with_a_link_used_up_in_the_meantime_says_so(self, client):
        user = UserFactory(roles=[Role.SIRO])
        sign_in(client, user, verified=False)
        client.get(issue_set_up_link(user))
        url = reverse("two_factor_setup")
        page = client.get(url).text
        assert "Start" in page
        # Between reading the page and pressing Start, the enrolment is found used up.
        enrolment = queries.open_enrolment(user, client.session["two_factor_enrolment"])
        TwoFactorEnrolment.objects.filter(pk=enrolment.pk).update(used_at=timezone.now())
        with mock.patch.object(queries, "open_enrolment", return_value=enrolment):
            response = client.post(url, {"start": "1"}, follow=True)
        assert response.status_code == 200
        assert "Your set-up link has expired or has already been used" in response.text
        assert not TOTPDevice.objects.filter(user=user).exists()

    def test_a_link_that_names_no_enrolment_says_so(self, client):
        response = client.get(reverse("two_factor_link", args=["a" * 64]))
        assert response.status_code == 200
        assert "The set-up link cannot be used" in response.text
        assert "two_factor_enrolment" not in client.session

    def test_the_account_page_shows_the_two_factor_record(self, client):
        administrator = UserFactory(roles=[Role.ADMINISTRATOR], full_name="Ada Admin")
        user = UserFactory(roles=[Role.OFFICER])
        issue_set_up_link(user, actor=administrator)
        sign_in(client, user)
        page = client.get(reverse("account")).text
        assert "Two-factor sign-in record" in page
        assert "Set-up link sent" in page and "Ada Admin" in page
        assert "works until" in page


class TestPasswords:
    def test_reset_by_email_through_a_real_smtp_server(self, client, smtp_server):
        user = UserFactory(email="laura.stockin@council.example")
        response = client.post(
            reverse("password_reset"), {"email": "Laura.Stockin@council.example"}
        )
        assert response["Location"] == reverse("password_reset_done")
        assert len(smtp_server) == 1
        message = smtp_server[0]
        assert message["To"] == "laura.stockin@council.example"
        body = message.get_content()
        link = re.search(r"http://testserver(/password-reset/\S+/)", body).group(1)

        response = client.get(link, follow=True)
        form_url = response.redirect_chain[-1][0]
        response = client.post(
            form_url,
            {
                "new_password1": "a new long passphrase 2017",
                "new_password2": "a new long passphrase 2017",
            },
        )
        assert response["Location"] == reverse("password_reset_complete")
        user.refresh_from_db()
        assert user.check_password("a new long passphrase 2017")

    def test_reset_for_an_unknown_address_says_the_same_and_sends_nothing(
        self, client, smtp_server
    ):
        response = client.post(reverse("password_reset"), {"email": "nobody@council.example"})
        assert response["Location"] == reverse("password_reset_done")
        assert smtp_server == []

    def test_reset_with_a_bad_address_gets_a_govuk_message(self, client, smtp_server):
        response = client.post(reverse("password_reset"), {"email": "not an address"})
        assert "Enter an email address in the correct format" in response.text
        assert smtp_server == []

    def test_change_needs_the_current_password(self, client):
        user = UserFactory()
        sign_in(client, user)
        response = client.post(
            reverse("password_change"),
            {
                "old_password": "wrong",
                "new_password1": "another long passphrase",
                "new_password2": "another long passphrase",
            },
        )
        assert "Your current password is wrong" in response.text
        user.refresh_from_db()
        assert user.check_password(PASSWORD)

    def test_change(self, client):
        user = UserFactory()
        sign_in(client, user)
        response = client.post(
            reverse("password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "another long passphrase",
                "new_password2": "another long passphrase",
            },
        )
        assert response["Location"] == reverse("account")
        user.refresh_from_db()
        assert user.check_password("another long passphrase")


def test_session_ends_after_inactivity(client, settings):
    sign_in(client, UserFactory())
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 30 * 60
    session = client.session
    session.set_expiry(timezone.now() - timedelta(seconds=1))
    session.save()
    assert client.get(reverse("account")).status_code == 302


def test_activity_keeps_the_session_alive_writing_it_at_most_once_a_minute(
    client, django_assert_num_queries
):
    from django.contrib.sessions.models import Session

    from organisation.middleware import SessionActivityMiddleware as activity

    sign_in(client, UserFactory())
    client.get(reverse("account"))
    key = client.session.session_key
    first_expiry = Session.objects.get(pk=key).expire_date
    # session, user with roles, the page's device and two-factor record: no write
    with django_assert_num_queries(4):
        client.get(reverse("account"))
    assert Session.objects.get(pk=key).expire_date == first_expiry

    # A minute on, the next request records the activity and pushes the expiry on.
    session = client.session
    session[activity.KEY] -= activity.EVERY_SECONDS
    session.set_expiry(None)
    session.save()
    Session.objects.filter(pk=key).update(expire_date=first_expiry - timedelta(minutes=1))
    client.get(reverse("account"))
    assert Session.objects.get(pk=key).expire_date > first_expiry - timedelta(minutes=1)


def test_signing_out_leaves_no_signed_in_session_behind(client):
    from django.contrib.sessions.models import Session

    sign_in(client, UserFactory())
    client.get(reverse("account"))
    client.post(reverse("logout"))
    client.get(reverse("home"))
    assert all("_auth_user_id" not in s.get_decoded() for s in Session.objects.all())


def test_a_privileged_page_checks_the_authenticator_instead_of_reading_roles_apart(
    client, django_assert_num_queries
):
    """The signed-in person comes with their roles (organisation.backends.PortalBackend);
    a verified privileged session loads its authenticator on every request, so removing it
    ends the second factor at once."""
    sign_in(client, UserFactory(roles=[Role.SIRO, Role.OFFICER]))
    client.get(reverse("home"))
    with django_assert_num_queries(3):  # session, user with roles, authenticator
        response = client.get(reverse("home"))
    assert "Senior Information Risk Owner" in response.text and "Officer" in response.text


def test_the_backend_loads_each_person_with_their_roles_and_no_one_else():
    """PortalBackend.get_user's one query: the person's roles (none for an account without
    any), and nobody for an unknown or inactive account."""
    from organisation.backends import PortalBackend

    backend = PortalBackend()
    governance = UserFactory(roles=[Role.GOVERNANCE_SERVICES, Role.AUDITOR])
    plain = UserFactory(roles=[])
    assert backend.get_user(governance.pk).roles == {Role.GOVERNANCE_SERVICES, Role.AUDITOR}
    assert backend.get_user(governance.pk) == governance
    assert backend.get_user(plain.pk).roles == frozenset()
    assert backend.get_user(plain.pk + governance.pk + 1000) is None
    plain.is_active = False
    plain.save()
    assert backend.get_user(plain.pk) is None


def test_the_backend_loads_whether_the_account_is_a_councillors_in_the_same_query(
    django_assert_num_queries,
):
    """So asking who needs a second factor (User.needs_two_factor) costs no query."""
    from organisation.backends import PortalBackend
    from tests.committees.factories import PersonFactory

    backend = PortalBackend()
    councillor = UserFactory()
    PersonFactory(user=councillor)
    plain = UserFactory(roles=[Role.AUDITOR])
    with django_assert_num_queries(2):
        loaded, other = backend.get_user(councillor.pk), backend.get_user(plain.pk)
    with django_assert_num_queries(0):
        assert loaded.is_councillor and loaded.needs_two_factor
        assert not other.is_councillor and not other.needs_two_factor


def test_a_councillors_page_costs_what_a_privileged_roles_does(client, django_assert_num_queries):
    from tests.committees.factories import PersonFactory

    councillor = UserFactory()
    PersonFactory(user=councillor)
    sign_in(client, councillor)
    client.get(reverse("home"))
    with django_assert_num_queries(3):  # session, user with roles and link, authenticator
        assert client.get(reverse("home")).status_code == 200


def test_home_shows_the_roles_held(client):
    sign_in(client, UserFactory(roles=[Role.GOVERNANCE_SERVICES, Role.AUDITOR]))
    page = client.get(reverse("home")).text
    assert "Governance Services" in page and "Auditor" in page


@pytest.mark.parametrize("count", [1, 20])
def test_council_structure_costs_the_same_queries_whatever_its_size(
    client, count, django_assert_num_queries
):
    for n in range(count):
        ServiceFactory(directorate=DirectorateFactory(name=f"D{n}"))
    sign_in(client, UserFactory(roles=[Role.OFFICER]))
    client.get(reverse("home"))
    # session, user with roles, directorates, services (the session's expiry was pushed on by
    # the first request, and is again only a minute later)
    with django_assert_num_queries(4):
        response = client.get(reverse("organisation:structure"))
    assert response.text.count('<h2 class="govuk-heading-m"') == count


def test_history_page_shows_who_changed_what(client):
    administrator = UserFactory(roles=[Role.ADMINISTRATOR], full_name="Ada Admin")
    directorate = DirectorateFactory(name="Place")
    sign_in(client, administrator)
    response = client.post(
        reverse("admin:organisation_directorate_change", args=[directorate.pk]),
        {
            "name": "Place",
            "description": "Regeneration and governance",
            "services-TOTAL_FORMS": "0",
            "services-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("organisation:directorate_history", args=[directorate.pk])).text
    assert "Ada Admin" in page
    assert "Regeneration and governance" in page


def test_history_of_an_unknown_directorate_is_404(client):
    sign_in(client, UserFactory(roles=[Role.AUDITOR]))
    assert client.get(reverse("organisation:directorate_history", args=[99999])).status_code == 404


def test_auditor_can_read_but_not_change_in_the_admin(client):
    directorate = DirectorateFactory()
    sign_in(client, UserFactory(roles=[Role.AUDITOR]))
    url = reverse("admin:organisation_directorate_change", args=[directorate.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Renamed"})
    assert response.status_code == 403
    directorate.refresh_from_db()
    assert directorate.name != "Renamed"
    assert client.get(reverse("admin:organisation_user_changelist")).status_code == 403


def test_admin_login_url_sends_visitors_to_the_portal_sign_in(client):
    response = client.get(reverse("admin:login") + "?next=/admin/")
    assert response["Location"] == "/sign-in/?next=%2Fadmin%2F"
