"""factory-boy factories shared by every app's tests."""

import factory
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from organisation import tokens
from organisation.models import (
    Council,
    Directorate,
    EnrolmentMethod,
    Service,
    TwoFactorEnrolment,
    User,
)
from organisation.roles import group_name

PASSWORD = "correct-horse-battery-staple"


class DirectorateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Directorate
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Directorate {n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    directorate = factory.SubFactory(DirectorateFactory)
    name = factory.Sequence(lambda n: f"Service {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    full_name = factory.Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"person{n}@council.example")
    job_title = "Officer"
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """UserFactory(roles=[Role.AUDITOR, ...])"""
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=[group_name(r) for r in extracted]))


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    """An authenticator app set up as the portal sets one up (through a set-up link), so it
    counts as a second factor. `TOTPDevice.objects.create(...)` makes one that does not."""

    class Meta:
        model = TOTPDevice
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    name = "Authenticator app"
    confirmed = True

    @factory.post_generation
    def enrolment(self, create, extracted, **kwargs):
        if create and self.confirmed:
            nonce = tokens.new_nonce()
            now = timezone.now()
            TwoFactorEnrolment.objects.create(
                account=self.user,
                method=EnrolmentMethod.LINK,
                nonce=nonce,
                token_hash=tokens.token_hash(tokens.new_nonce()),
                expires_at=now,
                used_at=now,
                device=self,
            )


def issue_set_up_link(account, *, actor=None) -> str:
    """Issue `account` a two-factor set-up link (at the server's command line unless `actor`
    is given) and return its path, as the e-mail would carry it."""
    from django.urls import reverse

    from organisation import services
    from organisation.policies import SERVER_CONSOLE

    enrolment = services.issue_two_factor_enrolment(
        account=account, actor=actor or SERVER_CONSOLE, base_url="http://testserver"
    )
    return reverse("two_factor_link", args=[tokens.enrolment_token(enrolment)])


class CouncilFactory(factory.django.DjangoModelFactory):
    """The one council: asking twice gives the same row."""

    class Meta:
        model = Council
        django_get_or_create = ("singleton",)

    singleton = True
    name = "Coventry City Council"
    short_name = "Coventry"
    website = "https://www.coventry.gov.uk"
    email = "governance.services@coventry.example"
