from functools import wraps

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from organisation import policies


class PortalAdminSite(admin.AdminSite):
    """The Django admin, opened by role (see AdminSitePolicy) and only after two-factor
    sign-in where the account needs it (User.needs_two_factor). Signing in happens on the
    portal's own pages."""

    site_header = "Governance Portal administration"
    site_title = "Governance Portal administration"
    index_title = "Reference data and accounts"

    def has_permission(self, request):
        user = request.user
        if not policies.admin_site.can_view(user):
            return False
        return not user.needs_two_factor or user.is_verified()

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def guarded(request, *args, **kwargs):
            # Signed-in people the admin is not for get 403, not a loop through sign-in.
            if policies.is_signed_in(request.user) and not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return guarded

    def login(self, request, extra_context=None):
        next_url = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('login')}?{urlencode({'next': next_url})}")


class PortalAdminConfig(AdminConfig):
    default_site = "organisation.admin_site.PortalAdminSite"
