from django.conf import settings
from django.utils.functional import SimpleLazyObject

from governance_portal import navigation


def portal(request):
    return {
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
        # Lazy: pages that never show the navigation (feeds, errors) pay nothing for it.
        "navigation": SimpleLazyObject(lambda: navigation.items_for(request)),
    }
