"""Two-factor set-up, end to end over HTTP, and every other way to a new authenticator.

A first authenticator needs a set-up link issued by someone who may manage the account (or
at the server's command line), e-mailed to the account's own address and used once within
its time; a replacement needs such a link or a fresh code from the authenticator replaced.
The probes that found the password alone was enough are in test_two_factor_probe.py.
"""

import io
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import SESSION_KEY
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from organisation import services, tokens
from organisation.models import TwoFactorAction, TwoFactorEnrolment, TwoFactorEvent, User
from organisation.policies import SERVER_CONSOLE
from organisation.roles import Role
from tests.conftest import sign_in
from tests.factories import PASSWORD, TOTPDeviceFactory, UserFactory, issue_set_up_link
from tests.organisation.test_services import code_for

pytestmark = pytest.mark.django_db

SET_UP = "/account/two-factor/set-up/"
LINK = re.compile(r"http://testserver(/account/two-factor/link/[0-9a-f]{64}/)")


def is_verified(client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


def sign_in_with_password(client, user) -> None:
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, "the password is right"


def set_up_with(client, path: str) -> TOTPDevice:
    """Open a set-up link, start, and confirm with the new app's code."""
    client.get(path)
    client.post(SET_UP, {"start": "1"})
    device = TOTPDevice.objects.get(user_id=client.session[SESSION_KEY], confirmed=False)
    response = client.post(SET_UP, {"code": code_for(device)})
    assert response.status_code == 302, response.text
    return device


def run_action(client, action: str, *accounts):
    return client.post(
        reverse("admin:organisation_user_changelist"),
        {"action": action, "_selected_action": [a.pk for a in accounts], "index": 0},
        follow=True,
    )


@pytest.fixture
def administrator(client):
    user = UserFactory(roles=[Role.ADMINISTRATOR], full_name="Ada Admin")
    sign_in(client, user)
    return user


class TestSetUpLinkFromTheAdmin:
    def test_an_administrator_sends_a_link_and_only_its_owner_sees_it(
        self, client, administrator, smtp_server, django_capture_on_commit_callbacks
    ):
        # A new administrator: a privileged role the sender holds, so may manage.
        clerk = UserFactory(roles=[Role.ADMINISTRATOR], email="clerk@council.example")

        with django_capture_on_commit_callbacks(execute=True):
            response = run_action(client, "send_two_factor_link", clerk)

        assert "A set-up link was emailed to" in response.text
        assert "It works once, until" in response.text
        (message,) = smtp_server
        assert message["To"] == "clerk@council.example"
        body = message.get_content()
        assert "Ada Admin, an administrator, has sent you a link" in body
        path = LINK.search(body).group(1)
        token = path.rstrip("/").rsplit("/", 1)[1]
        # The administrator's page never carries the token; the database holds only a hash.
        assert token not in response.text
        for model in apps.get_app_config("organisation").get_models():
            for row in model._default_manager.values():
                assert token not in str(row), model

        # The owner signs in with the password, follows the link and sets up the app.
        owner = Client()
        sign_in_with_password(owner, clerk)
        assert owner.get(reverse("home"))["Location"].startswith(SET_UP)
        before = owner.session.session_key
        with django_capture_on_commit_callbacks(execute=True):
            set_up_with(owner, path)
        assert is_verified(owner)
        assert owner.session.session_key != before
        assert owner.get(reverse("home")).status_code == 200
        assert [m["Subject"] for m in smtp_server] == [
            "Set up two-factor sign-in for your Governance Portal account",
            "Authenticator app set up for your Governance Portal account",
        ]
        assert list(
            TwoFactorEvent.objects.filter(account=clerk).order_by("pk").values_list("action")
        ) == [(TwoFactorAction.ISSUED,), (TwoFactorAction.ENROLLED,)]

        # Used once: the same link again opens nothing.
        again = Client()
        sign_in_with_password(again, clerk)
        assert "The set-up link cannot be used" in again.get(path).text
        assert "two_factor_enrolment" not in again.session

    def test_a_superuser_sends_a_link_to_governance_services(
        self, client, django_capture_on_commit_callbacks
    ):
        from django.core import mail

        sign_in(client, UserFactory(is_superuser=True))
        clerk = UserFactory(roles=[Role.GOVERNANCE_SERVICES], email="clerk@council.example")
        with django_capture_on_commit_callbacks(execute=True):
            response = run_action(client, "send_two_factor_link", clerk)
        assert "A set-up link was emailed to" in response.text
        assert mail.outbox[-1].to == ["clerk@council.example"]

    def test_an_administrator_sends_a_link_to_governance_services(
        self, client, administrator, django_capture_on_commit_callbacks
    ):
        """Privileged, but a role administrators give (roles.GRANTED_BY_ADMINISTRATORS)."""
        clerk = UserFactory(roles=[Role.GOVERNANCE_SERVICES])
        with django_capture_on_commit_callbacks(execute=True):
            response = run_action(client, "send_two_factor_link", clerk)
        assert "A set-up link was emailed to" in response.text
        assert TwoFactorEnrolment.objects.filter(account=clerk).exists()

    def test_an_administrator_cannot_send_a_link_to_the_monitoring_officer(
        self, client, administrator
    ):
        """A statutory officer's role, which the administrator does not hold."""
        officer = UserFactory(roles=[Role.MONITORING_OFFICER])
        response = run_action(client, "send_two_factor_link", officer)
        assert "No set-up link was sent to" in response.text
        assert not TwoFactorEnrolment.objects.filter(account=officer).exists()

    def test_an_administrator_cannot_send_a_link_to_a_superuser(self, client, administrator):
        superuser = UserFactory(is_superuser=True)
        response = run_action(client, "send_two_factor_link", superuser)
        assert "No set-up link was sent to" in response.text
        assert not TwoFactorEnrolment.objects.filter(account=superuser).exists()

    def test_a_superuser_cannot_send_a_link_to_another_superuser(self, client):
        sign_in(client, UserFactory(is_superuser=True))
        other = UserFactory(is_superuser=True)
        response = run_action(client, "send_two_factor_link", other)
        assert "No set-up link was sent to" in response.text
        assert not TwoFactorEnrolment.objects.filter(account=other).exists()

    def test_an_administrator_cannot_send_a_link_to_a_monitoring_officer(
        self, client, administrator
    ):
        officer = UserFactory(roles=[Role.MONITORING_OFFICER])
        response = run_action(client, "send_two_factor_link", officer)
        assert "No set-up link was sent to" in response.text
        assert not TwoFactorEnrolment.objects.filter(account=officer).exists()

    def test_the_record_is_readable_in_the_admin(self, client, administrator):
        clerk = UserFactory(roles=[Role.AUDITOR], full_name="Suzanne Bennett")
        issue_set_up_link(clerk, actor=administrator)
        page = client.get(reverse("admin:organisation_twofactorevent_changelist")).text
        assert "Suzanne Bennett" in page and "Set-up link sent" in page
        page = client.get(reverse("admin:organisation_user_change", args=[clerk.pk])).text
        assert "Two-factor sign-in record" in page and "Link works until" in page
        event = TwoFactorEvent.objects.get(account=clerk)
        url = reverse("admin:organisation_twofactorevent_change", args=[event.pk])
        assert client.post(url, {"action": "revoked"}).status_code == 403


class TestACouncillor:
    """A councillor's account (linked to their record, committees' Person.user) opens the
    private papers of their committees, which name individuals: like a privileged role it
    needs a second factor (User.needs_two_factor), set up the same way."""

    @pytest.fixture
    def private_paper(self):
        from tests.committees.factories import (
            AgendaItemFactory,
            ConsultationFactory,
            MeetingFactory,
            MembershipFactory,
            OrganizationFactory,
            PersonFactory,
            PrivatePaperFactory,
        )

        committee = OrganizationFactory(name="Audit and Procurement Committee")
        item = AgendaItemFactory(meeting=MeetingFactory(organizations=[committee], published=True))
        paper = PrivatePaperFactory(title="Sale of land at Far Gosford Street")
        ConsultationFactory(paper=paper, agenda_item=item)
        account = UserFactory(email="cllr.lucas@council.example", full_name="Ann Lucas")
        MembershipFactory(person=PersonFactory(user=account), organization=committee)
        return paper, account

    def test_with_a_password_alone_they_are_sent_to_set_one_up_and_read_nothing(
        self, client, private_paper
    ):
        from committees.models import PrivatePaperOpening

        paper, councillor = private_paper
        sign_in_with_password(client, councillor)
        report = reverse("committees:report", args=[paper.pk])
        response = client.get(report)
        assert response["Location"].startswith(SET_UP), "sent to set up a second factor"
        page = client.get(response["Location"]).text
        assert "it belongs to a councillor" in page
        assert "Ask an administrator to send a set-up link to your email address" in page
        for path in (reverse("home"), reverse("account"), reverse("committees:meetings")):
            assert client.get(path)["Location"].startswith(SET_UP), path
        assert not PrivatePaperOpening.objects.exists()

    def test_an_administrator_sends_a_link_and_with_the_app_set_up_they_read_the_paper(
        self, client, administrator, private_paper, smtp_server, django_capture_on_commit_callbacks
    ):
        from committees.models import PrivatePaperOpening

        paper, councillor = private_paper
        page = client.get(reverse("admin:organisation_user_change", args=[councillor.pk])).text
        assert "No authenticator app. Required: it belongs to a councillor" in page
        officer = UserFactory(roles=[Role.OFFICER])
        page = client.get(reverse("admin:organisation_user_change", args=[officer.pk])).text
        assert "No authenticator app. Not required." in page
        with django_capture_on_commit_callbacks(execute=True):
            response = run_action(client, "send_two_factor_link", councillor)
        assert "A set-up link was emailed to" in response.text
        (message,) = smtp_server
        assert message["To"] == "cllr.lucas@council.example"

        owner = Client()
        sign_in_with_password(owner, councillor)
        report = reverse("committees:report", args=[paper.pk])
        assert owner.get(report)["Location"].startswith(SET_UP)
        with django_capture_on_commit_callbacks(execute=True):
            set_up_with(owner, LINK.search(message.get_content()).group(1))
        assert is_verified(owner)
        page = owner.get(report)
        assert page.status_code == 200
        assert "Sale of land at Far Gosford Street" in page.text
        assert PrivatePaperOpening.objects.filter(reader=councillor, paper=paper).exists()
        account = owner.get(reverse("account")).text
        assert "Set up" in account and "Required: it belongs to a councillor" in account
        page = client.get(reverse("admin:organisation_user_change", args=[councillor.pk])).text
        assert "Authenticator app set up. Required: it belongs to a councillor" in page

        # The next sign-in asks for the code before the paper.
        again = Client()
        sign_in_with_password(again, councillor)
        assert again.get(report)["Location"].startswith(reverse("two_factor_verify"))


class TestLinksThatMustNotWork:
    def test_an_expired_link(self, client):
        siro = UserFactory(roles=[Role.SIRO])
        enrolment = services.issue_two_factor_enrolment(
            account=siro,
            actor=SERVER_CONSOLE,
            base_url="",
            now=services.timezone.now() - services.LINK_LIFETIME - timedelta(seconds=1),
        )
        sign_in(client, siro, verified=False)
        path = reverse("two_factor_link", args=[tokens.enrolment_token(enrolment)])
        assert "The set-up link cannot be used" in client.get(path).text
        client.post(SET_UP, {"start": "1"})
        assert not TOTPDevice.objects.filter(user=siro).exists()

    def test_a_link_that_expires_half_way(self, client):
        siro = UserFactory(roles=[Role.SIRO])
        sign_in(client, siro, verified=False)
        client.get(issue_set_up_link(siro))
        client.post(SET_UP, {"start": "1"})
        device = TOTPDevice.objects.get(user=siro)
        TwoFactorEnrolment.objects.filter(account=siro).update(expires_at=services.timezone.now())
        client.post(SET_UP, {"code": code_for(device)})
        device.refresh_from_db()
        assert device.confirmed is False
        assert not is_verified(client)

    def test_a_link_replaced_by_a_newer_one(self, client):
        siro = UserFactory(roles=[Role.SIRO])
        older = issue_set_up_link(siro)
        issue_set_up_link(siro)
        sign_in(client, siro, verified=False)
        assert "The set-up link cannot be used" in client.get(older).text

    def test_another_accounts_link_signed_in(self, client):
        victim = UserFactory(roles=[Role.MONITORING_OFFICER])
        path = issue_set_up_link(victim)
        intruder = UserFactory(roles=[Role.SIRO])
        sign_in(client, intruder, verified=False)
        assert "The set-up link cannot be used" in client.get(path).text
        client.post(SET_UP, {"start": "1"})
        assert not TOTPDevice.objects.exists()

    def test_another_accounts_link_opened_before_signing_in(self, client):
        """The link is remembered in the session across sign-in, but only for its account."""
        victim = UserFactory(roles=[Role.MONITORING_OFFICER])
        path = issue_set_up_link(victim)
        assert client.get(path)["Location"] == SET_UP
        intruder = UserFactory(roles=[Role.SIRO])
        sign_in_with_password(client, intruder)
        page = client.get(SET_UP).text
        assert "Ask an administrator" in page
        client.post(SET_UP, {"start": "1"})
        assert not TOTPDevice.objects.exists()

    def test_a_malformed_token_is_not_looked_up(self, client, django_assert_num_queries):
        with django_assert_num_queries(0):
            response = client.get(reverse("two_factor_link", args=["<script>"]))
        assert response.status_code in (200, 404)

    def test_a_get_with_start_changes_nothing(self, client):
        siro = UserFactory(roles=[Role.SIRO])
        sign_in(client, siro, verified=False)
        client.get(issue_set_up_link(siro))
        client.get(SET_UP + "?start=1")
        assert not TOTPDevice.objects.filter(user=siro).exists()


class TestSigningInFromTheLink:
    def test_a_link_opened_before_signing_in_leads_through_sign_in_to_set_up(self, client):
        records_manager = UserFactory(roles=[Role.RECORDS_MANAGER])
        path = issue_set_up_link(records_manager)
        response = client.get(path, follow=True)
        assert response.redirect_chain[-1][0] == f"{reverse('login')}?next={SET_UP}"
        response = client.post(
            f"{reverse('login')}?next={SET_UP}",
            {"username": records_manager.email, "password": PASSWORD},
        )
        assert response["Location"] == SET_UP
        assert "Start" in client.get(SET_UP).text
        set_up_with(client, SET_UP)
        assert is_verified(client)


class TestTheCommandLine:
    def test_bootstrapping_the_first_superuser(self, client, django_capture_on_commit_callbacks):
        from django.core import mail

        root = User.objects.create_superuser("root@council.example", PASSWORD, full_name="Root")
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command(
                "issue_two_factor_enrolment",
                "Root@Council.example",
                "--show",
                "--base-url=http://testserver",
                stdout=out,
            )
        printed = LINK.search(out.getvalue()).group(1)
        (message,) = mail.outbox
        assert message.to == ["root@council.example"]
        assert LINK.search(message.body).group(1) == printed
        assert "Someone at the portal's server has sent you a link" in message.body

        sign_in_with_password(client, root)
        assert client.get(reverse("admin:index")).status_code == 302
        set_up_with(client, printed)
        assert client.get(reverse("admin:index")).status_code == 200
        event = TwoFactorEvent.objects.filter(account=root).earliest("pk")
        assert (event.actor, event.via) == (None, "command_line")

    def test_without_show_the_link_is_not_printed(self):
        UserFactory(email="clerk@council.example")
        out = io.StringIO()
        call_command("issue_two_factor_enrolment", "clerk@council.example", stdout=out)
        assert "works once, until" in out.getvalue()
        assert "/account/two-factor/link/" not in out.getvalue()

    def test_an_unknown_address_is_an_error(self):
        with pytest.raises(CommandError, match="No account has the email address"):
            call_command("issue_two_factor_enrolment", "nobody@council.example")


class TestRemovingAnAuthenticator:
    def test_an_administrator_removes_it_and_the_owners_session_loses_its_second_factor(
        self, client, administrator, django_capture_on_commit_callbacks
    ):
        from django.core import mail

        clerk = UserFactory(roles=[Role.ADMINISTRATOR], email="clerk@council.example")
        owner = sign_in(Client(), clerk)
        assert owner.get(reverse("account")).status_code == 200

        with django_capture_on_commit_callbacks(execute=True):
            response = run_action(client, "remove_authenticator", clerk)

        assert "was removed" in response.text
        assert not TOTPDevice.objects.filter(user=clerk).exists()
        assert owner.get(reverse("account"))["Location"].startswith(SET_UP)
        assert TwoFactorEvent.objects.get(account=clerk).action == TwoFactorAction.REVOKED
        assert mail.outbox[-1].to == ["clerk@council.example"]

    def test_not_for_an_account_the_administrator_may_not_manage(self, client, administrator):
        siro = UserFactory(roles=[Role.SIRO])
        device = TOTPDeviceFactory(user=siro)
        response = run_action(client, "remove_authenticator", siro)
        assert "was not removed" in response.text
        assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_the_otp_admin_pages_do_not_exist(client):
    sign_in(client, UserFactory(is_superuser=True))
    device = TOTPDeviceFactory()
    for name, args in [
        ("admin:otp_totp_totpdevice_changelist", []),
        ("admin:otp_totp_totpdevice_change", [device.pk]),
        ("admin:otp_totp_totpdevice_config", [device.pk]),
        ("admin:otp_totp_totpdevice_qrcode", [device.pk]),
    ]:
        with pytest.raises(NoReverseMatch):
            reverse(name, args=args)
    for path in (
        f"/admin/otp_totp/totpdevice/{device.pk}/change/",
        f"/admin/otp_totp/totpdevice/{device.pk}/config/",
        f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/",
    ):
        response = client.get(path)
        assert response.status_code in (302, 404), path
        assert device.key not in response.content.decode()
