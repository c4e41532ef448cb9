"""The account policy: nobody manages an account with more power than they could grant."""

import pytest
from django.contrib.auth.models import AnonymousUser

from organisation import policies
from organisation.policies import SERVER_CONSOLE
from organisation.roles import GRANTED_BY_ADMINISTRATORS, PRIVILEGED_ROLES, ROLE_SPECS, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ALL_ROLES = frozenset(spec.role for spec in ROLE_SPECS)
accounts = policies.accounts


def test_governance_services_is_privileged_but_given_by_administrators():
    assert Role.GOVERNANCE_SERVICES in PRIVILEGED_ROLES
    assert UserFactory(roles=[Role.GOVERNANCE_SERVICES]).needs_two_factor
    assert (ALL_ROLES - PRIVILEGED_ROLES) | {Role.GOVERNANCE_SERVICES} == GRANTED_BY_ADMINISTRATORS


class TestGrantableRoles:
    def test_an_administrator_grants_ordinary_roles_and_the_privileged_ones_they_hold(self):
        administrator = UserFactory(roles=[Role.ADMINISTRATOR])
        assert accounts.grantable_roles(administrator) == GRANTED_BY_ADMINISTRATORS | {
            Role.ADMINISTRATOR
        }
        both = UserFactory(roles=[Role.ADMINISTRATOR, Role.MONITORING_OFFICER])
        assert accounts.grantable_roles(both) == GRANTED_BY_ADMINISTRATORS | {
            Role.ADMINISTRATOR,
            Role.MONITORING_OFFICER,
        }

    def test_superusers_and_the_command_line_grant_every_role(self):
        assert accounts.grantable_roles(UserFactory(is_superuser=True)) == ALL_ROLES
        assert accounts.grantable_roles(SERVER_CONSOLE) == ALL_ROLES

    @pytest.mark.parametrize(
        "role", sorted(ALL_ROLES - {Role.ADMINISTRATOR}), ids=lambda r: r.value
    )
    def test_other_roles_grant_nothing(self, role):
        assert accounts.grantable_roles(UserFactory(roles=[role])) == frozenset()

    def test_nobody_signed_out_or_deactivated_grants_anything(self):
        assert accounts.grantable_roles(AnonymousUser()) == frozenset()
        gone = UserFactory(roles=[Role.ADMINISTRATOR], is_active=False)
        assert accounts.grantable_roles(gone) == frozenset()
        assert accounts.grantable_roles(UserFactory(is_superuser=True, is_active=False)) == (
            frozenset()
        )


class TestManaging:
    def test_an_administrator_manages_ordinary_accounts_and_fellow_administrators(self):
        administrator = UserFactory(roles=[Role.ADMINISTRATOR])
        assert accounts.can_manage(administrator, UserFactory(roles=[Role.AUDITOR]))
        assert accounts.can_manage(administrator, UserFactory(roles=[Role.ADMINISTRATOR]))
        assert accounts.can_manage(administrator, administrator)
        assert accounts.can_manage(administrator, UserFactory())
        assert accounts.can_manage(administrator, UserFactory(roles=[Role.GOVERNANCE_SERVICES]))

    @pytest.mark.parametrize(
        "role",
        sorted(PRIVILEGED_ROLES - GRANTED_BY_ADMINISTRATORS - {Role.ADMINISTRATOR}),
        ids=lambda r: r.value,
    )
    def test_an_administrator_may_not_manage_a_privileged_role_they_do_not_hold(self, role):
        administrator = UserFactory(roles=[Role.ADMINISTRATOR])
        assert not accounts.can_manage(administrator, UserFactory(roles=[role]))
        assert not accounts.can_manage(administrator, UserFactory(roles=[Role.OFFICER, role]))

    def test_holding_the_role_lets_an_administrator_manage_it(self):
        administrator = UserFactory(roles=[Role.ADMINISTRATOR, Role.SIRO])
        assert accounts.can_manage(administrator, UserFactory(roles=[Role.SIRO]))

    def test_superuser_accounts_are_managed_only_at_the_command_line(self):
        superuser = UserFactory(is_superuser=True)
        assert not accounts.can_manage(UserFactory(roles=[Role.ADMINISTRATOR]), superuser)
        assert not accounts.can_manage(UserFactory(is_superuser=True), superuser)
        assert not accounts.can_manage(superuser, superuser)
        assert accounts.can_manage(SERVER_CONSOLE, superuser)

    def test_a_superuser_manages_every_other_account(self):
        superuser = UserFactory(is_superuser=True)
        assert accounts.can_manage(superuser, UserFactory(roles=sorted(ALL_ROLES)))

    def test_a_councillors_account_counts_as_governance_services(self, monkeypatch):
        """It opens the private papers of the councillor's committees, part of the exempt
        business Governance Services open: managed by whoever may give that role."""
        from tests.committees.factories import PersonFactory

        councillor = UserFactory()
        PersonFactory(user=councillor)
        administrator = UserFactory(roles=[Role.ADMINISTRATOR])
        assert accounts.power(councillor) == {Role.GOVERNANCE_SERVICES}
        assert accounts.can_manage(administrator, councillor)
        assert accounts.can_manage(UserFactory(is_superuser=True), councillor)
        assert not accounts.can_manage(UserFactory(roles=[Role.GOVERNANCE_SERVICES]), councillor)
        # Were Governance Services kept from administrators, councillors would go with it.
        monkeypatch.setattr(
            policies,
            "GRANTED_BY_ADMINISTRATORS",
            GRANTED_BY_ADMINISTRATORS - {Role.GOVERNANCE_SERVICES},
        )
        assert not accounts.can_manage(administrator, councillor)
        assert accounts.can_manage(administrator, UserFactory(roles=[Role.OFFICER]))

    def test_without_the_admin_role_nobody_manages_anyone(self):
        monitoring_officer = UserFactory(roles=[Role.MONITORING_OFFICER])
        assert not accounts.can_manage(monitoring_officer, UserFactory())
        assert not accounts.can_manage(AnonymousUser(), UserFactory())


class TestSettingRoles:
    def test_self_escalation_is_refused(self):
        administrator = UserFactory(roles=[Role.ADMINISTRATOR])
        assert not accounts.can_set_roles(
            administrator, administrator, {Role.ADMINISTRATOR, Role.MONITORING_OFFICER}
        )
        assert accounts.refused_roles(
            administrator, {Role.ADMINISTRATOR, Role.MONITORING_OFFICER}
        ) == {Role.MONITORING_OFFICER}

    def test_the_refusal_names_the_roles(self):
        assert accounts.not_grantable_message({Role.SIRO}) == (
            "You cannot give the Senior Information Risk Owner role: "
            "you may give only the roles you could hold"
        )
        assert "Monitoring Officer and Senior Information Risk Owner roles" in (
            accounts.not_grantable_message({Role.SIRO, Role.MONITORING_OFFICER})
        )
