from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OrganisationConfig(AppConfig):
    name = "organisation"
    verbose_name = "Organisation and people"

    def ready(self):
        # Roles follow roles.py after every migrate, the test database's included.
        post_migrate.connect(_sync_roles_after_migrate, sender=self)


def _sync_roles_after_migrate(sender, using, **kwargs):
    from organisation.services import sync_roles

    sync_roles(using=using)
