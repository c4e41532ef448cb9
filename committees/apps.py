from django.apps import AppConfig


class CommitteesConfig(AppConfig):
    name = "committees"
    verbose_name = "Committees and meetings"

    def ready(self):
        from committees import policies
        from committees.models import PrivatePaperOpening
        from committees.models.alerts import NOT_ON_PAGES
        from governance_portal import pagecache

        # Reading a private paper is logged; it changes nothing a public page shows. Nor do
        # e-mail alert subscriptions and deliveries.
        # Writes to a draft agenda's business leave the cached pages too (draft_business).
        pagecache.watch_app(
            self,
            unseen=(PrivatePaperOpening, *NOT_ON_PAGES),
            unseen_while=policies.draft_business,
        )
