"""How views declare what they need; the policy decides."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from organisation.policies import Policy, is_signed_in


def require(policy: Policy, action: str = "view"):
    """Let the view run only if `policy` allows `action`. Anonymous visitors are sent to sign
    in; signed-in people without the role get 403 (404 where the policy hides existence)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not policy.can(request.user, action):
                if not is_signed_in(request.user):
                    return redirect_to_login(request.get_full_path())
                if policy.hide_existence:
                    from django.http import Http404

                    raise Http404
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
