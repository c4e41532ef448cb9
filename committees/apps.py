from django.apps import AppConfig


class CommitteesConfig(AppConfig):
    name = "committees"
    verbose_name = "Committees and meetings"

    def ready(self):
        from committees import policies
        from governance_portal import pagecache

        # Writes to a draft agenda's business leave the cached pages (draft_business).
        pagecache.watch_app(self, unseen_while=policies.draft_business)
