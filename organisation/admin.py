from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django_otp.plugins.otp_totp import admin as otp_totp_admin
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from organisation import policies, queries, services
from organisation.forms import EmailAddressField
from organisation.models import (
    Council,
    Directorate,
    Service,
    TwoFactorAction,
    TwoFactorEvent,
    User,
)
from organisation.roles import ROLE_BY_GROUP_NAME, group_name

# django-otp's own admin for TOTP devices lets anyone with its permissions create an
# authenticator for another person and read its secret key: that is a second factor for
# whoever opens the page. Authenticators are set up only by their owner (set-up link or a
# code from the old one) and removed only through services.revoke_two_factor, recorded.
del otp_totp_admin  # imported above so that it has registered itself before we remove it
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


class PortalHistoryAdmin(SimpleHistoryAdmin):
    """History to read. simple-history's "revert" form saves on POST for anyone who may merely
    view the history (it never asks for the change permission), so a revert is refused here
    unless the person may change the object as it is now, and where `allow_revert` is off."""

    allow_revert = True

    def revert_disabled(self, request, obj=None):
        return not self.allow_revert or super().revert_disabled(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            current = self.get_object(request, unquote(object_id))
            if (
                not self.allow_revert
                or current is None
                or not self.has_change_permission(request, current)
            ):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Council)
class CouncilAdmin(PortalHistoryAdmin):
    list_display = ["name", "website"]


class ServiceInline(admin.TabularInline):
    model = Service
    extra = 0


@admin.register(Directorate)
class DirectorateAdmin(PortalHistoryAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    inlines = [ServiceInline]


@admin.register(Service)
class ServiceAdmin(PortalHistoryAdmin):
    list_display = ["name", "directorate"]
    list_filter = ["directorate"]
    list_select_related = ["directorate"]
    search_fields = ["name"]


def _roles_of(groups):
    return frozenset(ROLE_BY_GROUP_NAME[g.name] for g in groups if g.name in ROLE_BY_GROUP_NAME)


class AccountFormMixin:
    """Set by UserAdmin.get_form: the person using the form, whom the policy is asked about."""

    actor = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        roles = self.fields.get("groups")
        if roles is not None:
            # Offer only the roles this person may grant; any other posted is refused by
            # clean_groups with its name (a narrower queryset would say only "not valid").
            grantable = {group_name(r) for r in policies.accounts.grantable_roles(self.actor)}
            roles.widget.choices = [(g.pk, g.name) for g in roles.queryset if g.name in grantable]

    def clean_groups(self):
        groups = self.cleaned_data["groups"]
        refused = policies.accounts.refused_roles(self.actor, _roles_of(groups))
        if refused:
            raise ValidationError(
                policies.accounts.not_grantable_message(refused), code="not_grantable"
            )
        return groups


class AccountChangeForm(AccountFormMixin, UserChangeForm):
    email = EmailAddressField(label="Email address", max_length=254)


class AccountCreationForm(AccountFormMixin, AdminUserCreationForm):
    email = EmailAddressField(label="Email address", max_length=254)


class TwoFactorEventInline(admin.TabularInline):
    """The account's two-factor record, read-only."""

    model = TwoFactorEvent
    fk_name = "account"
    fields = ["created_at", "action", "actor", "via", "works_until"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name_plural = "Two-factor sign-in record"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "enrolment")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Link works until")
    def works_until(self, event):
        if event.action != TwoFactorAction.ISSUED or event.enrolment is None:
            return ""
        return date_format(localtime(event.enrolment.expires_at), "DATETIME_FORMAT")


@admin.register(User)
class UserAdmin(PortalHistoryAdmin, DjangoUserAdmin):
    """Accounts and their roles, changed only as policies.AccountPolicy allows: nobody may
    change an account with more power than they could grant, or grant a role they could not
    hold. Superuser accounts are read-only here (managed with `manage.py`), and superuser
    status is never offered: it is granted only with `manage.py createsuperuser`."""

    form = AccountChangeForm
    add_form = AccountCreationForm
    # A historical version would restore old roles, flags or e-mail address around the
    # policy: the history is for reading only.
    allow_revert = False
    ordering = ["full_name"]
    list_display = ["full_name", "email", "job_title", "directorate", "is_active", "two_factor"]
    list_filter = ["is_active", "groups", "directorate"]
    list_select_related = ["directorate"]
    search_fields = ["full_name", "email", "job_title"]
    filter_horizontal = ["groups"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "job_title", "directorate", "service", "telephone"]}),
        ("Roles", {"fields": ["is_active", "groups"]}),
        ("Two-factor sign-in", {"fields": ["two_factor_sign_in"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined", "two_factor_sign_in"]
    inlines = [TwoFactorEventInline]
    actions = ["send_two_factor_link", "remove_authenticator"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                has_authenticator=Exists(queries.enrolled_devices(OuterRef("pk")).values("pk"))
            )
        )

    @admin.display(boolean=True, description="Two-factor")
    def two_factor(self, user):
        return user.has_authenticator

    @admin.display(description="Two-factor sign-in")
    def two_factor_sign_in(self, user):
        """Whether the account has an authenticator app, and whether it must sign in with one
        (User.two_factor_reason: the one rule the sign-in asks too)."""
        has_authenticator = getattr(user, "has_authenticator", None)
        if has_authenticator is None:
            has_authenticator = queries.has_totp_device(user)
        state = "Authenticator app set up" if has_authenticator else "No authenticator app"
        reason = user.two_factor_reason
        return f"{state}. Required: {reason}." if reason else f"{state}. Not required."

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or policies.accounts.can_manage(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or policies.accounts.can_manage(request.user, obj))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["label"] = "Roles"
            kwargs["help_text"] = (
                "A person may hold several roles. You may give the roles that do not need "
                "two-factor sign-in, and the privileged roles you hold yourself."
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        # The form has checked the roles already; ask the policy once more, on the account
        # as it was, before anything is kept (the admin's transaction is then rolled back).
        if "groups" in form.cleaned_data and not policies.accounts.can_set_roles(
            request.user, form.instance, _roles_of(form.cleaned_data["groups"])
        ):
            raise PermissionDenied(policies.NOT_MANAGEABLE)
        super().save_related(request, form, formsets, change)

    def _base_url(self, request) -> str:
        return f"{request.scheme}://{request.get_host()}"

    @admin.action(description="Send a two-factor set-up link", permissions=["change"])
    def send_two_factor_link(self, request, queryset):
        for account in queryset:
            try:
                enrolment = services.issue_two_factor_enrolment(
                    account=account, actor=request.user, base_url=self._base_url(request)
                )
            except PermissionDenied:
                self.message_user(
                    request,
                    f"No set-up link was sent to {account}: {policies.NOT_MANAGEABLE}",
                    messages.ERROR,
                )
            except ValidationError as error:
                self.message_user(
                    request, f"No set-up link was sent to {account}: {error.messages[0]}", "error"
                )
            else:
                until = date_format(localtime(enrolment.expires_at), "DATETIME_FORMAT")
                self.message_user(
                    request,
                    f"A set-up link was emailed to {account} ({account.email}). "
                    f"It works once, until {until}.",
                    messages.SUCCESS,
                )

    @admin.action(description="Remove the two-factor authenticator app", permissions=["change"])
    def remove_authenticator(self, request, queryset):
        for account in queryset:
            try:
                services.revoke_two_factor(
                    account=account, actor=request.user, base_url=self._base_url(request)
                )
            except PermissionDenied:
                self.message_user(
                    request,
                    f"The authenticator app of {account} was not removed: "
                    f"{policies.NOT_MANAGEABLE}",
                    messages.ERROR,
                )
            except ValidationError as error:
                self.message_user(request, error.messages[0], messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"The authenticator app of {account} was removed. They need a set-up link "
                    "to set up a new one.",
                    messages.SUCCESS,
                )


@admin.register(TwoFactorEvent)
class TwoFactorEventAdmin(admin.ModelAdmin):
    """Every set-up link issued and authenticator set up, replaced or removed: read-only."""

    list_display = ["created_at", "account", "action", "actor", "via"]
    list_filter = ["action", "via"]
    list_select_related = ["account", "actor"]
    search_fields = ["account__full_name", "account__email"]
    fields = ["created_at", "account", "action", "actor", "via"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(admin.ModelAdmin):
    """Roles are declared in organisation/roles.py; here they can be read, not edited."""

    list_display = ["name"]
    fields = ["name", "permissions"]
    readonly_fields = ["name", "permissions"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
