"""E-mail alerts: subscribe from a decision maker's page, confirm through the e-mailed link,
unsubscribe from any alert. Open to everyone, signed in or not (policies.alert_subscriptions);
the links' tokens are the only authority over a subscription. Never served from the page
cache: the form pages carry a CSRF token, and the others depend on a token.

Opening a link changes nothing (mail scanners open links): its page has a button. The
unsubscribe button, and mail clients' one-click unsubscribe (RFC 8058: a POST of
"List-Unsubscribe=One-Click", without cookies), post to the link itself, so it takes no CSRF
token: the unguessable token in the address is what allows it, and an unsubscribe is the
only thing it can do.
"""

from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from committees import alert_tokens, policies, services
from committees.forms.public import AlertSubscriptionForm
from committees.models.alerts import CONFIRM_WITHIN
from committees.queries import public as queries
from organisation.access import require
from portal_kit.views import add_service_error as _add_service_error

policy = policies.alert_subscriptions
get_or_post = require_http_methods(["GET", "POST"])
#: Signs the decision maker named on the page after an unsubscribe, so that no one can
#: make that page say someone unsubscribed when they did not.
UNSUBSCRIBED_SALT = "committees.alerts.unsubscribed"


def _organization(request, slug):
    return policies.organizations.get_or_404(request.user, queries.alert_organizations(), slug=slug)


def _link_unusable(request):
    return render(request, "committees/public/alerts_link_unusable.html", status=404)


@get_or_post
@require(policy, "subscribe")
def subscribe(request, slug):
    organization = _organization(request, slug)
    form = AlertSubscriptionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_alerts(
                organization=organization, email=form.cleaned_data["email"], actor=request.user
            )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            return redirect("committees:alerts_requested", organization.slug)
    return render(
        request,
        "committees/public/alerts_subscribe.html",
        {
            "form": form,
            "organization": organization,
            "confirm_days": CONFIRM_WITHIN.days,
            "per_day": services.CONFIRMATIONS_PER_DAY,
        },
    )


@require_safe
@require(policy, "subscribe")
def requested(request, slug):
    """The same page whatever the address: whether it was subscribed already, or has had
    its confirmation messages for the day, is not said."""
    return render(
        request,
        "committees/public/alerts_requested.html",
        {
            "organization": _organization(request, slug),
            "confirm_days": CONFIRM_WITHIN.days,
            "per_day": services.CONFIRMATIONS_PER_DAY,
        },
    )


@get_or_post
@require(policy, "confirm")
def confirm(request, token):
    subscription = policy.by_token(queries.alert_subscriptions(), token, alert_tokens.CONFIRM)
    if subscription is None or subscription.expired(timezone.now()):
        return _link_unusable(request)
    if request.method == "POST":
        try:
            services.confirm_alerts(subscription=subscription, actor=request.user)
        except ValidationError:
            return _link_unusable(request)
        # Its page now says the subscription has started.
        return redirect("committees:alerts_confirm", token)
    return render(request, "committees/public/alerts_confirm.html", {"subscription": subscription})


@csrf_exempt
@get_or_post
@require(policy, "unsubscribe")
def unsubscribe(request, token):
    subscription = policy.by_token(queries.alert_subscriptions(), token, alert_tokens.UNSUBSCRIBE)
    if subscription is None:
        return _link_unusable(request)
    if request.method == "GET":
        return render(
            request, "committees/public/alerts_unsubscribe.html", {"subscription": subscription}
        )
    try:
        organization = services.end_alerts(subscription=subscription, actor=request.user)
    except ValidationError:
        return _link_unusable(request)
    if request.POST.get("List-Unsubscribe") == "One-Click":
        # A mail client's one-click unsubscribe: the answer is the end of it.
        return _unsubscribed_page(request, organization)
    done = signing.dumps(organization.pk, salt=UNSUBSCRIBED_SALT)
    return redirect("committees:alerts_unsubscribed", done)


@require_safe
@require(policy, "unsubscribe")
def unsubscribed(request, done):
    try:
        pk = signing.loads(done, salt=UNSUBSCRIBED_SALT)
    except signing.BadSignature:
        return _link_unusable(request)
    organization = queries.alert_organizations().filter(pk=pk).first()
    if organization is None:
        return _link_unusable(request)
    return _unsubscribed_page(request, organization)


def _unsubscribed_page(request, organization):
    return render(
        request, "committees/public/alerts_unsubscribed.html", {"organization": organization}
    )
