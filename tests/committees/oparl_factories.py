"""A council (OParl's Body) for the open-data API tests: organisation.Council has no factory
in tests/factories.py."""

import factory

from organisation.models import Council


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
