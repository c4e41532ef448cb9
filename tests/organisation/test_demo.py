import pytest
from django.apps import apps
from django.core.management import call_command

from organisation import demo, queries
from organisation.models import Council, Directorate, User
from organisation.roles import ROLE_SPECS, Role

pytestmark = pytest.mark.django_db


def _row_counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"organisation", "auth", "otp_totp"}
    }


def test_demo_data_is_the_council_of_the_seed():
    demo.load()
    assert Council.objects.get().name == "Coventry City Council"
    assert set(Directorate.objects.values_list("name", flat=True)) == {
        "Place",
        "People",
        "Resources",
    }
    helen = User.objects.get(full_name="Helen Lynch")
    assert helen.job_title == "Acting Monitoring Officer"
    assert {g.name for g in helen.groups.all()} >= {"Monitoring Officer", "Officer"}
    assert not helen.has_usable_password(), "named officers are records, not logins"
    assert helen.service.name == "Legal Services"


def test_one_demo_account_per_role_with_the_demo_password():
    accounts = demo.load()
    assert [name for name, _ in accounts] == [spec.name for spec in ROLE_SPECS]
    for spec in ROLE_SPECS:
        user = User.objects.get(email=demo.demo_email(spec.role))
        assert user.check_password(demo.DEMO_PASSWORD)
        assert user.roles == {spec.role}
        assert user.totpdevice_set.filter(confirmed=True).exists() == spec.privileged
        # The shared demo authenticator counts as set up, recorded as demo data.
        assert queries.has_totp_device(user) == spec.privileged


def test_governance_services_demo_account_signs_in_with_the_demo_code(client):
    from django.urls import reverse

    demo.load()
    email = demo.demo_email(Role.GOVERNANCE_SERVICES)
    client.post(reverse("login"), {"username": email, "password": demo.DEMO_PASSWORD})
    assert client.get(reverse("home"))["Location"].startswith(reverse("two_factor_verify"))
    client.post(reverse("two_factor_verify"), {"code": demo.current_code()})
    assert client.get(reverse("home")).status_code == 200


def test_loading_twice_changes_nothing_and_duplicates_nothing():
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = _row_counts()
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _row_counts() == counts


def test_load_demo_prints_every_account(capsys):
    from committees.demo import COUNCILLOR_EMAIL

    call_command("load_demo")
    out = capsys.readouterr().out
    assert demo.DEMO_PASSWORD in out
    lines = {line.split()[0]: line for line in out.splitlines() if "@" in line}
    emails = [demo.demo_email(spec.role) for spec in ROLE_SPECS] + [COUNCILLOR_EMAIL]
    assert set(emails) <= lines.keys()
    # Each login that must give a second factor (the sign-in's own rule) is marked, and has
    # the demo authenticator.
    for email in emails:
        user = User.objects.get(email=email)
        assert user.check_password(demo.DEMO_PASSWORD)
        assert ("+ two-factor code" in lines[email]) == user.needs_two_factor, email
        assert queries.has_totp_device(user) == user.needs_two_factor, email
    assert (
        "Councillor, Audit and Procurement Committee  + two-factor code" in lines[COUNCILLOR_EMAIL]
    )
