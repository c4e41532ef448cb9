import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from organisation import queries

# What an account that needs a second factor may reach before it is given: the pages to give
# it, and out.
_OPEN_BEFORE_SECOND_FACTOR = frozenset(
    {
        "two_factor_setup",
        "two_factor_link",
        "two_factor_verify",
        "logout",
        "healthz",
        "accessibility",
        "cookies",
    }
)


class TwoFactorRequiredMiddleware:
    """Accounts that need a second factor (User.needs_two_factor: superusers, privileged
    roles, councillors) use the portal only after two-factor sign-in (TOTP): until then every
    page sends them to give their code, or to set up an authenticator app first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or not user.needs_two_factor or user.is_verified():
            return None
        match = request.resolver_match
        if match is None or match.view_name in _OPEN_BEFORE_SECOND_FACTOR:
            return None
        target = "two_factor_verify" if queries.has_totp_device(user) else "two_factor_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


def idle_timeout(resolver_match):
    """How long a session may lie idle before the page `resolver_match` is for: the shorter
    SENSITIVE_IDLE_TIMEOUT for the pages of SENSITIVE_URL_NAMESPACES (the whistleblowing
    register and its cases), else SESSION_IDLE_TIMEOUT. The one place that decides."""
    namespaces = set(getattr(resolver_match, "namespaces", None) or ())
    if namespaces & set(settings.SENSITIVE_URL_NAMESPACES):
        return settings.SENSITIVE_IDLE_TIMEOUT
    return settings.SESSION_IDLE_TIMEOUT


class SessionActivityMiddleware:
    """Keeps a signed-in session alive while it is used, and ends it once it has lain idle
    too long for the page asked for (`idle_timeout`): the idle timeout counts from the last
    activity anywhere on the portal. The session itself expires after SESSION_IDLE_TIMEOUT
    (SESSION_COOKIE_AGE); coming back to a page with a shorter timeout after longer than that
    without activity signs the person out, and they sign in again (with their second factor)
    to see it. Saving the session on every request would cost an UPDATE and a commit a
    page; recording the activity at most once a minute makes the timeout up to a minute
    shorter instead."""

    KEY = "_last_activity"
    EVERY_SECONDS = 60
    SIGNED_OUT = "You were signed out because you had not used the portal for {minutes} minutes"

    def __init__(self, get_response):
        self.get_response = get_response

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        last = request.session.get(self.KEY)
        if last is None:
            return None
        timeout = idle_timeout(request.resolver_match)
        if time.time() - last <= timeout.total_seconds():
            return None
        logout(request)
        messages.info(request, self.SIGNED_OUT.format(minutes=int(timeout.total_seconds() // 60)))
        return redirect_to_login(request.get_full_path())

    def __call__(self, request):
        response = self.get_response(request)
        # After the view: a sign-out has emptied the session and a sign-in cycled it.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            if now - request.session.get(self.KEY, 0) >= self.EVERY_SECONDS:
                request.session[self.KEY] = now  # marks it modified: saved with a new expiry
        return response
