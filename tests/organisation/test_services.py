import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from organisation import queries, services, tokens
from organisation.models import (
    EnrolmentMethod,
    TwoFactorAction,
    TwoFactorEnrolment,
    TwoFactorEvent,
    Via,
)
from organisation.policies import SERVER_CONSOLE
from organisation.roles import ROLE_SPECS, Role, RoleSpec
from tests.factories import TOTPDeviceFactory, UserFactory

pytestmark = pytest.mark.django_db


def code_for(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_sync_roles_gives_each_role_exactly_its_permissions():
    for spec in ROLE_SPECS:
        group = Group.objects.get(name=spec.name)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == set(spec.permissions), spec.name


def test_sync_roles_is_rerunnable_and_removes_drift():
    auditor = Group.objects.get(name="Auditor")
    stray = Permission.objects.get(codename="delete_user")
    auditor.permissions.add(stray)

    assert services.sync_roles() == []
    assert stray not in auditor.permissions.all()
    assert Group.objects.filter(name__in=[s.name for s in ROLE_SPECS]).count() == len(ROLE_SPECS)


def test_sync_roles_refuses_a_role_naming_an_unknown_permission(monkeypatch):
    from organisation.roles import Role

    bad = RoleSpec(Role.AUDITOR, "Auditor", "", permissions=("organisation.fly_to_moon",))
    monkeypatch.setattr(services, "ROLE_SPECS", (bad,))
    with pytest.raises(LookupError, match="fly_to_moon"):
        services.sync_roles()


def wrong_code(device) -> str:
    return "000000" if code_for(device) != "000000" else "111111"


def issue(account, actor=SERVER_CONSOLE, **kwargs):
    return services.issue_two_factor_enrolment(
        account=account, actor=actor, base_url="https://portal.example", **kwargs
    )


def enrol(account, enrolment=None):
    """Set up an authenticator app for `account` with `enrolment` (a fresh link if none)."""
    enrolment = enrolment or issue(account)
    device = services.start_totp_enrolment(actor=account, enrolment=enrolment)
    return services.confirm_totp_enrolment(
        actor=account, enrolment=enrolment, token=code_for(device), base_url="https://p.example"
    )


class TestIssuingASetUpLink:
    def test_stores_only_a_hash_of_the_token_and_records_the_issue(self):
        account = UserFactory()
        enrolment = issue(account)
        token = tokens.enrolment_token(enrolment)
        assert enrolment.method == EnrolmentMethod.LINK
        assert enrolment.token_hash == tokens.token_hash(token)
        stored = TwoFactorEnrolment.objects.filter(pk=enrolment.pk).values().get()
        assert token not in {str(value) for value in stored.values()}
        assert enrolment.expires_at - enrolment.created_at == services.LINK_LIFETIME
        event = TwoFactorEvent.objects.get(account=account)
        assert (event.action, event.actor, event.via) == (
            TwoFactorAction.ISSUED,
            None,
            Via.COMMAND_LINE,
        )

    def test_emails_the_link_to_the_account_after_commit(self, django_capture_on_commit_callbacks):
        account = UserFactory(email="helen.lynch@council.example", full_name="Helen Lynch")
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            enrolment = issue(account)
        assert mail.outbox == [], "nothing is sent before the change has committed"
        for callback in callbacks:
            callback()
        (message,) = mail.outbox
        assert message.to == ["helen.lynch@council.example"]
        assert message.subject == "Set up two-factor sign-in for your Governance Portal account"
        link = (
            f"https://portal.example/account/two-factor/link/{tokens.enrolment_token(enrolment)}/"
        )
        assert link in message.body
        assert "Dear Helen Lynch" in message.body

    def test_a_newer_link_cancels_older_ones_and_their_half_set_up_apps(self):
        account = UserFactory()
        first = issue(account)
        pending = services.start_totp_enrolment(actor=account, enrolment=first)
        second = issue(account)
        first.refresh_from_db()
        assert first.cancelled_at is not None
        assert not TOTPDevice.objects.filter(pk=pending.pk).exists()
        assert list(queries.open_enrolments(account)) == [second]

    def test_refused_for_an_account_the_actor_may_not_manage(self):
        administrator = UserFactory(roles=[Role.ADMINISTRATOR])
        for target in (UserFactory(is_superuser=True), UserFactory(roles=[Role.SIRO])):
            with pytest.raises(PermissionDenied):
                issue(target, actor=administrator)
            assert not TwoFactorEnrolment.objects.filter(account=target).exists()
            assert not TwoFactorEvent.objects.filter(account=target).exists()

    def test_a_superuser_may_not_issue_one_for_another_superuser(self):
        with pytest.raises(PermissionDenied):
            issue(UserFactory(is_superuser=True), actor=UserFactory(is_superuser=True))

    def test_the_command_line_may_issue_one_for_a_superuser(self):
        superuser = UserFactory(is_superuser=True)
        assert issue(superuser).account == superuser

    def test_refused_for_a_deactivated_account(self):
        with pytest.raises(ValidationError) as error:
            issue(UserFactory(is_active=False))
        assert error.value.code == "inactive"


class TestSettingUpAnAuthenticator:
    def test_needs_the_right_code_from_the_new_app(self):
        account = UserFactory()
        enrolment = issue(account)
        device = services.start_totp_enrolment(actor=account, enrolment=enrolment)

        with pytest.raises(ValidationError) as error:
            services.confirm_totp_enrolment(
                actor=account, enrolment=enrolment, token=wrong_code(device), base_url=""
            )
        assert error.value.code == "wrong_code"
        device.refresh_from_db()
        assert device.confirmed is False
        assert device.throttling_failure_count == 1, "the failure is kept, not rolled back"

        device.throttle_reset()
        confirmed = services.confirm_totp_enrolment(
            actor=account, enrolment=enrolment, token=code_for(device), base_url=""
        )
        assert confirmed.pk == device.pk and confirmed.confirmed
        assert list(queries.enrolled_devices(account)) == [device]
        enrolment.refresh_from_db()
        assert enrolment.used_at is not None

    def test_records_a_first_set_up_and_a_replacement(self):
        account = UserFactory()
        enrol(account)
        enrol(account)
        assert list(
            TwoFactorEvent.objects.filter(account=account)
            .order_by("pk")
            .values_list("action", "actor", "via")
        ) == [
            (TwoFactorAction.ISSUED, None, Via.COMMAND_LINE),
            (TwoFactorAction.ENROLLED, account.pk, Via.ACCOUNT),
            (TwoFactorAction.ISSUED, None, Via.COMMAND_LINE),
            (TwoFactorAction.REPLACED, account.pk, Via.ACCOUNT),
        ]

    def test_the_new_app_replaces_every_other(self):
        account = UserFactory()
        old = TOTPDeviceFactory(user=account)
        stray = TOTPDevice.objects.create(user=account, name="Made elsewhere", confirmed=True)
        device = enrol(account)
        assert list(TOTPDevice.objects.filter(user=account).values_list("pk", flat=True)) == [
            device.pk
        ]
        assert not TOTPDevice.objects.filter(pk__in=[old.pk, stray.pk]).exists()

    def test_an_enrolment_works_once(self):
        account = UserFactory()
        enrolment = issue(account)
        enrol(account, enrolment)
        for attempt in (
            lambda: services.start_totp_enrolment(actor=account, enrolment=enrolment),
            lambda: services.confirm_totp_enrolment(
                actor=account, enrolment=enrolment, token="123456", base_url=""
            ),
        ):
            with pytest.raises(ValidationError) as error:
                attempt()
            assert error.value.code == "no_enrolment"

    def test_an_expired_enrolment_is_refused(self):
        account = UserFactory()
        enrolment = issue(account, now=timezone.now() - services.LINK_LIFETIME)
        with pytest.raises(ValidationError) as error:
            services.start_totp_enrolment(actor=account, enrolment=enrolment)
        assert error.value.code == "no_enrolment"

    def test_another_accounts_enrolment_is_refused(self):
        enrolment = issue(UserFactory())
        intruder = UserFactory()
        with pytest.raises(ValidationError) as error:
            services.start_totp_enrolment(actor=intruder, enrolment=enrolment)
        assert error.value.code == "no_enrolment"
        assert not TOTPDevice.objects.filter(user=intruder).exists()

    def test_confirming_without_starting_is_refused(self):
        account = UserFactory()
        with pytest.raises(ValidationError) as error:
            services.confirm_totp_enrolment(
                actor=account, enrolment=issue(account), token="123456", base_url=""
            )
        assert error.value.code == "not_started"

    def test_starting_again_discards_the_unfinished_app(self):
        account = UserFactory()
        enrolment = issue(account)
        first = services.start_totp_enrolment(actor=account, enrolment=enrolment)
        second = services.start_totp_enrolment(actor=account, enrolment=enrolment)
        assert not TOTPDevice.objects.filter(pk=first.pk).exists()
        enrolment.refresh_from_db()
        assert enrolment.device == second


class TestReplacingWithACodeFromTheOldApp:
    def test_a_fresh_code_allows_a_replacement(self):
        account = UserFactory()
        old = TOTPDeviceFactory(user=account)
        enrolment = services.authorise_replacement(actor=account, token=code_for(old))
        assert enrolment.method == EnrolmentMethod.REPLACEMENT
        assert enrolment.expires_at - enrolment.created_at == services.REPLACEMENT_LIFETIME
        device = enrol(account, enrolment)
        assert list(queries.enrolled_devices(account)) == [device]

    def test_a_wrong_code_allows_nothing_and_is_counted(self):
        account = UserFactory()
        old = TOTPDeviceFactory(user=account)
        with pytest.raises(ValidationError) as error:
            services.authorise_replacement(actor=account, token=wrong_code(old))
        assert error.value.code == "wrong_code"
        old.refresh_from_db()
        assert old.throttling_failure_count == 1
        assert not TwoFactorEnrolment.objects.filter(method=EnrolmentMethod.REPLACEMENT)

    def test_a_code_already_used_allows_nothing(self):
        account = UserFactory()
        old = TOTPDeviceFactory(user=account)
        services.check_second_factor(user=account, token=code_for(old))
        with pytest.raises(ValidationError):
            services.authorise_replacement(actor=account, token=code_for(old))


class TestRevoking:
    def test_removes_the_app_records_and_emails(self, django_capture_on_commit_callbacks):
        administrator = UserFactory(roles=[Role.ADMINISTRATOR])
        account = UserFactory(email="officer@council.example")
        TOTPDeviceFactory(user=account)
        with django_capture_on_commit_callbacks(execute=True):
            services.revoke_two_factor(account=account, actor=administrator, base_url="")
        assert not TOTPDevice.objects.filter(user=account).exists()
        event = TwoFactorEvent.objects.get(account=account)
        assert (event.action, event.actor, event.via) == (
            TwoFactorAction.REVOKED,
            administrator,
            Via.ADMIN,
        )
        (message,) = mail.outbox
        assert message.to == ["officer@council.example"]
        assert "removed the authenticator app" in message.body

    def test_refused_for_an_account_the_actor_may_not_manage(self):
        administrator = UserFactory(roles=[Role.ADMINISTRATOR])
        officer = UserFactory(roles=[Role.MONITORING_OFFICER])
        device = TOTPDeviceFactory(user=officer)
        with pytest.raises(PermissionDenied):
            services.revoke_two_factor(account=officer, actor=administrator, base_url="")
        assert TOTPDevice.objects.filter(pk=device.pk).exists()

    def test_nothing_to_remove(self):
        with pytest.raises(ValidationError) as error:
            services.revoke_two_factor(account=UserFactory(), actor=SERVER_CONSOLE, base_url="")
        assert error.value.code == "no_authenticator"


def test_check_second_factor_accepts_only_enrolled_apps():
    user = UserFactory()
    device = TOTPDeviceFactory(user=user)
    with pytest.raises(ValidationError):
        services.check_second_factor(user=user, token=wrong_code(device))
    device.refresh_from_db()
    device.throttle_reset()
    assert services.check_second_factor(user=user, token=code_for(device)) == device

    other = UserFactory()
    stray = TOTPDevice.objects.create(user=other, name="Made elsewhere", confirmed=True)
    with pytest.raises(ValidationError):
        services.check_second_factor(user=other, token=code_for(stray))


def test_grant_roles_asks_the_account_policy():
    administrator = UserFactory(roles=[Role.ADMINISTRATOR])
    officer = UserFactory(roles=[Role.OFFICER])
    services.grant_roles(account=officer, roles=[Role.AUDITOR], actor=administrator)
    assert officer.roles == {Role.OFFICER, Role.AUDITOR}
    with pytest.raises(PermissionDenied):
        services.grant_roles(account=officer, roles=[Role.SIRO], actor=administrator)
    with pytest.raises(PermissionDenied):
        services.grant_roles(
            account=administrator, roles=[Role.MONITORING_OFFICER], actor=administrator
        )
    assert officer.roles == {Role.OFFICER, Role.AUDITOR}
    assert administrator.roles == {Role.ADMINISTRATOR}


def test_password_reset_queues_one_task_with_the_address_as_typed(settings):
    from django_tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    services.request_password_reset(email=" Nobody@Council.example", base_url="https://p")
    (result,) = default_task_backend.results
    assert result.args == [" Nobody@Council.example", "https://p"]
