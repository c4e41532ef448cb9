from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_safe
from django_otp import login as otp_login

from organisation import policies, queries, services
from organisation.access import require
from organisation.forms import (
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
    SignInForm,
    TokenForm,
)
from organisation.models import Directorate
from organisation.roles import SPECS_BY_ROLE


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _safe_next(request, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = False
    # Accounts that need a second factor (User.needs_two_factor) are then sent on to give it
    # by TwoFactorRequiredMiddleware, which keeps the `next` page.


class SignOutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET), so a link elsewhere cannot sign you out."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, "You have signed out")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password has been changed")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "registration/password_reset_confirm.html"


#: Where a person's session keeps the enrolment (set-up link or replacement) they may use.
ENROLMENT_SESSION_KEY = "two_factor_enrolment"


def _base_url(request) -> str:
    """The portal's address as this request reached it, for links in e-mails."""
    return f"{request.scheme}://{request.get_host()}"


@login_required
@require_safe
def account(request):
    user = request.user
    return render(
        request,
        "organisation/account.html",
        {
            "roles": [SPECS_BY_ROLE[role] for role in sorted(user.roles)],
            "has_totp_device": queries.has_totp_device(user),
            "two_factor_events": queries.two_factor_events(user),
        },
    )


@require_safe
def two_factor_link(request, token):
    """A set-up link from an e-mail: remember, in this session, the enrolment it names, then
    go on to the set-up page (through sign-in if need be) without the token in the address,
    so it is not left in the browser's history or sent on as a Referer."""
    enrolment = queries.enrolment_for_link(token)
    user = request.user
    if enrolment is None or (policies.is_signed_in(user) and enrolment.account_id != user.pk):
        return render(request, "organisation/two_factor_link_invalid.html")
    request.session[ENROLMENT_SESSION_KEY] = enrolment.pk
    return redirect("two_factor_setup")


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Set up an authenticator app, with the enrolment this session holds (from a set-up
    link, or from a code given by the app being replaced). Without one: the form to replace
    the current app with a code from it, or the way to get a set-up link."""
    user = request.user
    next_url = _safe_next(request, "")
    enrolment = queries.open_enrolment(user, request.session.get(ENROLMENT_SESSION_KEY))
    if enrolment is None:
        return _replace_or_ask_for_a_link(request, next_url)

    if request.method == "POST" and "start" in request.POST:
        try:
            services.start_totp_enrolment(actor=user, enrolment=enrolment)
        except ValidationError as error:  # it expired or was used since the page was read
            messages.error(request, error.messages[0])
        return redirect(_with_next(reverse("two_factor_setup"), next_url))

    replacing = queries.has_totp_device(user)
    device = enrolment.device
    form = None
    if device is not None:
        label = "Code from your new authenticator app" if replacing else None
        form = TokenForm(request.POST or None, label=label)
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            device = services.confirm_totp_enrolment(
                actor=user,
                enrolment=enrolment,
                token=form.cleaned_data["code"],
                base_url=_base_url(request),
            )
        except ValidationError as error:
            form.add_error("code", error)
        else:
            request.session.pop(ENROLMENT_SESSION_KEY, None)
            otp_login(request, device)
            request.session.cycle_key()
            messages.success(request, "Two-factor sign-in is set up")
            return redirect(_safe_next(request, reverse("account")))
    qr_svg = ""
    if device is not None:
        import segno

        qr_svg = segno.make(device.config_url, micro=False).svg_inline(
            scale=4, title="QR code for your authenticator app"
        )
    return render(
        request,
        "organisation/two_factor_setup.html",
        {
            "form": form,
            "device": device,
            "enrolment": enrolment,
            "replacing": replacing,
            "qr_svg": qr_svg,
            "next": next_url,
        },
    )


def _replace_or_ask_for_a_link(request, next_url):
    user = request.user
    if not queries.has_totp_device(user):
        return render(request, "organisation/two_factor_link_needed.html", {"next": next_url})
    form = TokenForm(request.POST or None, label="Code from your current authenticator app")
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = services.authorise_replacement(actor=user, token=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            request.session[ENROLMENT_SESSION_KEY] = enrolment.pk
            return redirect(_with_next(reverse("two_factor_setup"), next_url))
    return render(request, "organisation/two_factor_replace.html", {"form": form, "next": next_url})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    user = request.user
    if not queries.has_totp_device(user):
        return redirect(_with_next(reverse("two_factor_setup"), _safe_next(request, "")))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.check_second_factor(user=user, token=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            otp_login(request, device)
            # A new session key for the new level of trust, as Django's login() does for
            # the password: a key planted or seen before the code opens nothing.
            request.session.cycle_key()
            return redirect(_safe_next(request, reverse("home")))
    return render(
        request,
        "organisation/two_factor_verify.html",
        {"form": form, "next": _safe_next(request, "")},
    )


@require_safe
@require(policies.council_structure, "view")
def structure(request):
    return render(
        request,
        "organisation/structure.html",
        {
            "directorates": queries.council_structure(),
            "can_view_history": policies.council_structure.can(request.user, "view_history"),
        },
    )


@require_safe
@require(policies.council_structure, "view_history")
def directorate_history(request, pk):
    directorate = policies.council_structure.get_or_404(
        request.user, Directorate.objects.all(), pk=pk
    )
    return render(
        request,
        "organisation/history.html",
        {"object": directorate, "entries": queries.history_entries(directorate)},
    )
