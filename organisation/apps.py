from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OrganisationConfig(AppConfig):
    name = "organisation"
    verbose_name = "Organisation and people"

    def ready(self):
        # Roles follow roles.py after every migrate, the test database's included.
        post_migrate.connect(_sync_roles_after_migrate, sender=self)
        from governance_portal import pagecache

        # Council, directorates and services appear on public pages; so do officers' names.
        pagecache.watch_app(self)


def _sync_roles_after_migrate(sender, using, **kwargs):
    from organisation.services import sync_roles

    sync_roles(using=using)
