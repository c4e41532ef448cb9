"""Accounts under attack: taking over a more powerful account through the admin, sign-in
lock-out dodged by spelling the address differently, and a password reset that answers
faster for unknown addresses.

The admin tests post the real admin pages with the test client, as an administrator would,
and compare the target's rows (account, roles, devices) before and after.
"""

import re

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from organisation.models import User
from organisation.roles import Role, group_name
from tests.conftest import sign_in
from tests.factories import PASSWORD, TOTPDeviceFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a takeover passphrase 2017"


def full_width(text: str) -> str:
    """`text` in full-width letters (U+FF01 to U+FF5E), as some keyboards type them."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def snapshot(user) -> dict:
    """Everything that makes up an account's power and credentials."""
    return {
        "row": User.objects.filter(pk=user.pk).values().get(),
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "devices": sorted(TOTPDevice.objects.filter(user=user).values_list("pk", "key")),
    }


def role_pk(role: Role) -> int:
    return Group.objects.get(name=group_name(role)).pk


def change_data(user, *, roles=None, **overrides) -> dict:
    """What the admin's change form posts for `user`, with `overrides`."""
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "job_title": user.job_title,
        "directorate": "",
        "service": "",
        "telephone": user.telephone,
        "groups": [role_pk(r) for r in (roles if roles is not None else user.roles)],
        "two_factor_events-TOTAL_FORMS": "0",
        "two_factor_events-INITIAL_FORMS": "0",
        "_save": "Save",
    }
    if user.is_active:
        data["is_active"] = "on"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def change_url(user) -> str:
    return reverse("admin:organisation_user_change", args=[user.pk])


def password_url(user) -> str:
    return reverse("admin:auth_user_password_change", args=[user.pk])


@pytest.fixture
def administrator(client):
    user = UserFactory(roles=[Role.ADMINISTRATOR], full_name="Ada Admin")
    sign_in(client, user)
    return user


def attempt_takeover(client, target) -> list[int]:
    """Everything an administrator could try in the admin: the change form (e-mail address,
    deactivation, superuser flag) and the password form. Returns the status codes."""
    statuses = [
        client.post(
            change_url(target),
            change_data(target, email="attacker@evil.example", is_superuser="on"),
        ).status_code,
        client.post(change_url(target), change_data(target, is_active=None)).status_code,
        client.get(password_url(target)).status_code,
        client.post(
            password_url(target),
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
        ).status_code,
    ]
    return statuses


class TestAdministratorCannotTakeOverMorePowerfulAccounts:
    def test_an_administrator_cannot_change_a_superuser(self, client, administrator):
        superuser = UserFactory(is_superuser=True, email="root@council.example")
        TOTPDeviceFactory(user=superuser)
        before = snapshot(superuser)

        statuses = attempt_takeover(client, superuser)

        assert statuses == [403, 403, 403, 403]
        assert snapshot(superuser) == before

    def test_an_administrator_cannot_change_a_monitoring_officer(self, client, administrator):
        officer = UserFactory(roles=[Role.MONITORING_OFFICER], email="mo@council.example")
        TOTPDeviceFactory(user=officer)
        before = snapshot(officer)

        statuses = attempt_takeover(client, officer)

        assert statuses == [403, 403, 403, 403]
        assert snapshot(officer) == before

    def test_an_administrator_cannot_grant_themselves_monitoring_officer(
        self, client, administrator
    ):
        before = snapshot(administrator)

        response = client.post(
            change_url(administrator),
            change_data(administrator, roles=[Role.ADMINISTRATOR, Role.MONITORING_OFFICER]),
        )

        assert response.status_code == 200
        assert "There is a problem" in response.text or "errornote" in response.text
        assert "You cannot give the Monitoring Officer role" in response.text
        assert snapshot(administrator) == before

    def test_an_administrator_cannot_make_an_officer_a_superuser(self, client, administrator):
        officer = UserFactory(roles=[Role.OFFICER])
        response = client.post(change_url(officer), change_data(officer, is_superuser="on"))
        assert response.status_code == 302
        officer.refresh_from_db()
        assert officer.is_superuser is False

    def test_a_superuser_cannot_change_another_superuser_in_the_admin(self, client):
        sign_in(client, UserFactory(is_superuser=True))
        other = UserFactory(is_superuser=True, email="other.root@council.example")
        before = snapshot(other)

        assert attempt_takeover(client, other) == [403, 403, 403, 403]
        assert snapshot(other) == before


class TestLockOutIsPerAccountWhateverTheSpelling:
    @pytest.mark.parametrize(
        "spelling",
        [
            "DEMO.X@COUNCIL.EXAMPLE",
            "Demo.X@Council.Example",
            "  demo.x@council.example  ",
            full_width("demo.x") + "@council.example",  # NFKC makes them ASCII
        ],
        ids=["upper", "mixed", "spaces", "full-width"],
    )
    def test_another_spelling_is_locked_out_too(self, spelling):
        UserFactory(email="demo.x@council.example")
        client = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post(reverse("login"), {"username": "demo.x@council.example", "password": "x"})

        response = client.post(reverse("login"), {"username": spelling, "password": PASSWORD})

        assert response.status_code == 429
        assert SESSION_KEY not in client.session

    def test_failures_under_several_spellings_add_up(self):
        UserFactory(email="demo.x@council.example")
        client = Client()
        spellings = ["demo.x@council.example", "Demo.x@council.example", " DEMO.X@council.example"]
        for n in range(settings.AXES_FAILURE_LIMIT):
            client.post(reverse("login"), {"username": spellings[n % 3], "password": "x"})
        response = client.post(
            reverse("login"), {"username": "demo.x@council.example", "password": PASSWORD}
        )
        assert response.status_code == 429


class TestPasswordResetDoesTheSameWorkForEveryAddress:
    def test_known_and_unknown_addresses_cost_the_same_queries_and_queue_one_task(
        self, settings, django_assert_num_queries
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django_tasks import default_task_backend

        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
        UserFactory(email="known@council.example")
        counts = {}
        for email in ("known@council.example", "nobody@council.example"):
            client = Client()
            client.get(reverse("password_reset"))
            default_task_backend.clear()
            with CaptureQueriesContext(connection) as queries:
                response = client.post(reverse("password_reset"), {"email": email})
            assert response["Location"] == reverse("password_reset_done")
            counts[email] = len(queries)
            assert [r.task.name for r in default_task_backend.results] == ["send_password_reset"]
        assert counts["known@council.example"] == counts["nobody@council.example"]

    def test_the_mail_arrives_for_the_known_address_only(self, smtp_server):
        UserFactory(email="known@council.example")
        Client().post(reverse("password_reset"), {"email": "nobody@council.example"})
        assert smtp_server == []
        Client().post(reverse("password_reset"), {"email": "Known@Council.example"})
        assert [m["To"] for m in smtp_server] == ["known@council.example"]
        assert re.search(r"/password-reset/\S+/", smtp_server[0].get_content())


class TestWhatAdministratorsMayDo:
    def test_only_grantable_roles_are_offered(self, client, administrator):
        officer = UserFactory(roles=[Role.OFFICER])
        page = client.get(change_url(officer)).text
        select = re.search(r'<select name="groups".*?</select>', page, re.S).group(0)
        offered = set(re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select))
        assert {"Auditor", "Administrator", "Governance Services"} <= offered
        assert not offered & {
            "Monitoring Officer",
            "Chief Internal Auditor",
            "Records Manager",
            "Senior Information Risk Owner",
        }

    def test_an_administrator_grants_an_ordinary_role(self, client, administrator):
        officer = UserFactory(roles=[Role.OFFICER])
        response = client.post(
            change_url(officer), change_data(officer, roles=[Role.OFFICER, Role.AUDITOR])
        )
        assert response.status_code == 302
        assert User.objects.get(pk=officer.pk).roles == {Role.OFFICER, Role.AUDITOR}

    def test_an_administrator_cannot_grant_a_privileged_role_to_an_officer(
        self, client, administrator
    ):
        officer = UserFactory(roles=[Role.OFFICER])
        before = snapshot(officer)
        response = client.post(
            change_url(officer), change_data(officer, roles=[Role.OFFICER, Role.SIRO])
        )
        assert "You cannot give the Senior Information Risk Owner role" in response.text
        assert snapshot(officer) == before

    def test_a_superuser_grants_a_privileged_role(self, client):
        sign_in(client, UserFactory(is_superuser=True))
        officer = UserFactory(roles=[Role.OFFICER])
        response = client.post(
            change_url(officer),
            change_data(officer, roles=[Role.OFFICER, Role.MONITORING_OFFICER]),
        )
        assert response.status_code == 302
        assert User.objects.get(pk=officer.pk).roles == {Role.OFFICER, Role.MONITORING_OFFICER}

    def test_an_administrator_changes_an_officers_password(self, client, administrator):
        officer = UserFactory(roles=[Role.OFFICER])
        response = client.post(
            password_url(officer),
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
        )
        assert response.status_code == 302
        officer.refresh_from_db()
        assert officer.check_password(NEW_PASSWORD)

    def test_superuser_accounts_are_read_only_in_the_admin(self, client):
        sign_in(client, UserFactory(is_superuser=True))
        other = UserFactory(is_superuser=True)
        page = client.get(change_url(other)).text
        assert 'name="_save"' not in page
        delete = reverse("admin:organisation_user_delete", args=[other.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
        response = client.post(
            reverse("admin:organisation_user_changelist"),
            {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"},
        )
        assert response.status_code == 403
        assert User.objects.filter(pk=other.pk).exists()

    def test_the_history_cannot_restore_an_old_version_of_an_account(self, client):
        """simple-history's revert form saves on POST; a version from when the account had
        another address would otherwise be an e-mail change around the policy."""
        superuser = UserFactory(is_superuser=True, email="old.root@council.example")
        superuser.email = "root@council.example"
        superuser.save()
        old = superuser.history.earliest()
        administrator = UserFactory(roles=[Role.ADMINISTRATOR])
        for actor in (administrator, UserFactory(is_superuser=True)):
            client = sign_in(Client(), actor)
            url = reverse(
                "admin:organisation_user_simple_history",
                args=[superuser.pk, old.history_id],
            )
            data = change_data(superuser, email="old.root@council.example")
            assert client.post(url, data).status_code == 403
        # Nor an ordinary account, for anyone: the history of accounts is for reading.
        officer = UserFactory(email="old.officer@council.example")
        officer.email = "officer@council.example"
        officer.save()
        client = sign_in(Client(), administrator)
        url = reverse(
            "admin:organisation_user_simple_history",
            args=[officer.pk, officer.history.earliest().history_id],
        )
        assert client.post(url, change_data(officer)).status_code == 403
        assert User.objects.get(pk=superuser.pk).email == "root@council.example"
        assert User.objects.get(pk=officer.pk).email == "officer@council.example"

    def test_a_reader_cannot_revert_a_directorate_through_its_history(self, client):
        from tests.factories import DirectorateFactory

        directorate = DirectorateFactory(name="Place", description="Old")
        directorate.description = "New"
        directorate.save()
        sign_in(client, UserFactory(roles=[Role.AUDITOR]))
        url = reverse(
            "admin:organisation_directorate_simple_history",
            args=[directorate.pk, directorate.history.earliest().history_id],
        )
        response = client.post(
            url,
            {
                "name": "Place",
                "description": "Old",
                "services-TOTAL_FORMS": "0",
                "services-INITIAL_FORMS": "0",
            },
        )
        assert response.status_code == 403
        directorate.refresh_from_db()
        assert directorate.description == "New"


SPELLINGS = pytest.mark.parametrize(
    "spelling",
    [
        "LAURA.STOCKIN@COUNCIL.EXAMPLE",
        "Laura.Stockin@Council.Example",
        "  laura.stockin@council.example  ",
        full_width("laura") + ".stockin@council.example",
    ],
    ids=["upper", "mixed", "spaces", "full-width"],
)


class TestEverySpellingIsOneAccount:
    @SPELLINGS
    def test_signs_in(self, client, spelling):
        user = UserFactory(email="laura.stockin@council.example")
        response = client.post(reverse("login"), {"username": spelling, "password": PASSWORD})
        assert response.status_code == 302
        assert client.session[SESSION_KEY] == str(user.pk)

    @SPELLINGS
    def test_a_password_reset_reaches_the_account(self, client, spelling, mailoutbox):
        UserFactory(email="laura.stockin@council.example")
        response = client.post(reverse("password_reset"), {"email": spelling})
        assert response["Location"] == reverse("password_reset_done")
        assert [m.to for m in mailoutbox] == [["laura.stockin@council.example"]]

    @SPELLINGS
    def test_no_second_account_in_the_admin(self, client, administrator, spelling):
        UserFactory(email="laura.stockin@council.example")
        count = User.objects.count()
        response = client.post(
            reverse("admin:organisation_user_add"),
            {
                "email": spelling,
                "full_name": "Laura Stockin",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
                "usable_password": "true",
                "_save": "Save",
            },
        )
        assert response.status_code == 200
        assert "An account with this email address already exists" in response.text
        assert User.objects.count() == count

    @SPELLINGS
    def test_no_second_account_by_changing_an_address(self, client, administrator, spelling):
        UserFactory(email="laura.stockin@council.example")
        other = UserFactory(roles=[Role.OFFICER], email="someone@council.example")
        response = client.post(change_url(other), change_data(other, email=spelling))
        assert "An account with this email address already exists" in response.text
        assert User.objects.get(pk=other.pk).email == "someone@council.example"

    def test_a_new_account_is_stored_normalised(self, client, administrator):
        response = client.post(
            reverse("admin:organisation_user_add"),
            {
                "email": " " + full_width("K") + "aren.Tyler@Council.example",
                "full_name": "Karen Tyler",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
                "usable_password": "true",
                "_save": "Save",
            },
        )
        assert response.status_code == 302
        assert User.objects.filter(email="karen.tyler@council.example").exists()
