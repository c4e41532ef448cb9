from django.apps import AppConfig


class CommitteesConfig(AppConfig):
    name = "committees"
    verbose_name = "Committees and meetings"

    def ready(self):
        from governance_portal import pagecache

        pagecache.watch_app(self)
