import pytest
from django.db import IntegrityError

from organisation.models import Council, User
from organisation.policies import SERVER_CONSOLE
from organisation.roles import Role
from organisation.services import grant_roles
from tests.factories import DirectorateFactory, UserFactory
from tests.security.test_auth_accounts import full_width

pytestmark = pytest.mark.django_db


def test_email_is_unique_whatever_its_case():
    UserFactory(email="helen.lynch@council.example")
    with pytest.raises(IntegrityError):
        UserFactory(email="Helen.Lynch@council.example")


def test_manager_stores_email_in_lower_case_and_finds_it_in_any_case():
    user = User.objects.create_user("Suzanne.Bennett@Council.Example", "pw", full_name="S B")
    assert user.email == "suzanne.bennett@council.example"
    assert User.objects.get_by_natural_key("SUZANNE.BENNETT@council.example") == user


@pytest.mark.parametrize(
    "spelling",
    [
        "Helen.Lynch@COUNCIL.example",
        "  helen.lynch@council.example ",
        full_width("helen") + ".lynch@council.example",
    ],
    ids=["case", "spaces", "full-width"],
)
def test_every_spelling_of_an_address_is_one_account(spelling):
    user = UserFactory(email="helen.lynch@council.example")
    assert User.objects.get_by_natural_key(spelling) == user
    with pytest.raises(IntegrityError):
        UserFactory(email=spelling)


def test_an_address_is_stored_normalised_however_it_is_saved():
    user = UserFactory(email=" " + full_width("KAREN") + ".Tyler@Council.example ")
    assert User.objects.get(pk=user.pk).email == "karen.tyler@council.example"


def test_clean_normalises_and_finds_the_duplicate():
    from django.core.exceptions import ValidationError

    UserFactory(email="laura.stockin@council.example")
    duplicate = User(email="Laura.Stockin@Council.Example ", full_name="L S")
    duplicate.set_unusable_password()
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert duplicate.email == "laura.stockin@council.example"
    assert "An account with this email address already exists" in str(error.value)


def test_roles_cost_one_query_then_are_remembered(django_assert_num_queries):
    user = UserFactory(roles=[Role.AUDITOR, Role.OFFICER])
    user = User.objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        assert user.roles == {Role.AUDITOR, Role.OFFICER}
        assert user.has_role(Role.AUDITOR)
        assert not user.has_role(Role.SIRO)


def test_admin_access_and_two_factor_follow_roles():
    officer = UserFactory(roles=[Role.OFFICER])
    auditor = UserFactory(roles=[Role.AUDITOR])
    administrator = UserFactory(roles=[Role.ADMINISTRATOR])
    siro = UserFactory(roles=[Role.SIRO])
    assert not officer.is_staff and not officer.needs_two_factor
    assert auditor.is_staff and not auditor.needs_two_factor
    assert administrator.is_staff and administrator.needs_two_factor
    assert not siro.is_staff and siro.needs_two_factor


class TestACouncillorsAccountNeedsASecondFactor:
    """A councillor's account (linked to their record, committees' Person.user) opens the
    private papers of their committees: it needs a second factor like a privileged role,
    decided in one place (User.two_factor_reason)."""

    def test_an_account_linked_to_a_member_needs_one(self):
        from tests.committees.factories import MembershipFactory, PersonFactory

        account = UserFactory()
        MembershipFactory(person=PersonFactory(user=account))
        account = User.objects.get(pk=account.pk)
        assert account.is_councillor
        assert account.needs_two_factor
        assert "councillor" in account.two_factor_reason
        assert not account.is_staff and account.roles == frozenset()

    def test_whatever_their_memberships_today(self):
        """The link decides, not a membership: one can begin on any day, or be recorded
        after the account is made, and the account must not open exempt business with a
        password alone in between."""
        from tests.committees.factories import PersonFactory

        account = UserFactory()
        PersonFactory(user=account)
        assert User.objects.get(pk=account.pk).needs_two_factor

    def test_an_account_linked_to_nobody_or_deactivated_does_not(self):
        from tests.committees.factories import PersonFactory

        officer = UserFactory(roles=[Role.OFFICER])
        assert not officer.is_councillor and not officer.needs_two_factor
        assert officer.two_factor_reason == ""
        gone = UserFactory(is_active=False)
        PersonFactory(user=gone)
        assert not User.objects.get(pk=gone.pk).needs_two_factor

    def test_linking_is_seen_on_the_account_linked(self):
        from tests.committees.factories import PersonFactory

        account = UserFactory()
        PersonFactory(user=account)
        assert account.needs_two_factor

    def test_the_link_organisation_names_is_the_one_committees_makes(self):
        from committees.models import Person
        from organisation.models import COUNCILLOR_LINK, councillor_link

        assert Person._meta.get_field("user").remote_field.related_name == COUNCILLOR_LINK
        assert councillor_link().related_model is Person

    def test_asking_costs_one_query_and_is_remembered(self, django_assert_num_queries):
        account = User.objects.get(pk=UserFactory().pk)
        account.remember_roles([])
        with django_assert_num_queries(1):
            assert not account.needs_two_factor
            assert not account.needs_two_factor


def test_an_inactive_person_holds_no_role():
    user = UserFactory(roles=[Role.ADMINISTRATOR], is_active=False)
    assert not user.has_role(Role.ADMINISTRATOR)
    assert not user.is_staff


def test_only_one_council():
    Council.objects.create(name="Coventry City Council")
    with pytest.raises(IntegrityError):
        Council.objects.create(name="Another council")


def test_changes_are_kept_in_history():
    directorate = DirectorateFactory(name="Place")
    directorate.description = "Regeneration, legal and governance"
    directorate.save()
    assert [h.history_type for h in directorate.history.order_by("history_date")] == ["+", "~"]


def test_role_changes_are_kept_in_the_users_history():
    user = UserFactory()
    before = user.history.count()

    grant_roles(account=user, roles=[Role.AUDITOR], actor=SERVER_CONSOLE)

    assert user.history.count() == before + 1
    latest = user.history.latest()
    assert [row.group.name for row in latest.groups.all()] == ["Auditor"]
