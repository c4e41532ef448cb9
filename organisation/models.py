from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.models import HistoricalRecords

from organisation.accounts import normalise_email
from organisation.roles import ADMIN_ROLES, PRIVILEGED_ROLES, ROLE_BY_GROUP_NAME, Role
from portal_kit.models import RecordModel

DUPLICATE_EMAIL = "An account with this email address already exists"

#: The related name of the link from a councillor (committees' Person.user) to their account.
#: Named, not imported: organisation imports none of the apps built on it. A councillor reads
#: the private papers of their committees, so their account needs a second factor
#: (User.two_factor_reason); organisation.backends loads the link with the account.
COUNCILLOR_LINK = "councillor"


def councillor_link():
    """The reverse relation from an account to its councillor (a OneToOneRel), or None where
    no installed app links councillors to accounts."""
    return next(
        (rel for rel in User._meta.related_objects if rel.get_accessor_name() == COUNCILLOR_LINK),
        None,
    )


class Council(RecordModel):
    """The local authority the portal serves (OParl's Body). There is exactly one."""

    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=100, blank=True)
    website = models.URLField(blank=True)
    address = models.TextField(blank=True)
    telephone = models.CharField(max_length=50, blank=True)
    email = models.EmailField(blank=True)
    singleton = models.BooleanField(default=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["singleton"], name="one_council"),
            models.CheckConstraint(condition=models.Q(singleton=True), name="council_singleton"),
        ]

    def __str__(self):
        return self.name


class Directorate(RecordModel):
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Service(RecordModel):
    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=150)

    class Meta:
        ordering = ["directorate__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["directorate", "name"], name="unique_service_name"),
        ]

    def __str__(self):
        return f"{self.name} ({self.directorate.name})"


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        return normalise_email(email)

    def with_email(self, address: str):
        """The account (at most one) whose address is `address` in any spelling, found through
        the unique index on lower(email)."""
        return self.alias(email_key=Lower("email")).filter(email_key=normalise_email(address))

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("Users need an e-mail address")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        # Signing in, and so the lock-out and every backend, finds the account this way.
        return self.with_email(username).get()


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: an officer, a councillor or an auditor. Signs in by e-mail."""

    email = models.EmailField(
        "e-mail address", unique=True, error_messages={"unique": DUPLICATE_EMAIL}
    )
    full_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    directorate = models.ForeignKey(
        Directorate, on_delete=models.PROTECT, null=True, blank=True, related_name="people"
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="people"
    )
    telephone = models.CharField(max_length=50, blank=True)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(excluded_fields=["password", "last_login"], m2m_fields=["groups"])

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_case_insensitive",
                violation_error_message=DUPLICATE_EMAIL,
            ),
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean_fields(self, exclude=None):
        # Before the e-mail validator runs, so " X@Council.example" is valid and one account.
        self.email = normalise_email(self.email)
        super().clean_fields(exclude)

    def clean(self):
        super().clean()
        self.email = normalise_email(self.email)

    def save(self, *args, **kwargs):
        # However the row is written (admin, shell, a service), one spelling is stored.
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def roles(self) -> frozenset[Role]:
        """The roles this person holds: one query, then remembered (none for the person
        signed in: organisation.backends loads them with the account)."""
        if not hasattr(self, "_roles"):
            self.remember_roles(self.groups.values_list("name", flat=True) if self.pk else [])
        return self._roles

    def remember_roles(self, group_names) -> None:
        self._roles = frozenset(
            ROLE_BY_GROUP_NAME[n] for n in group_names if n in ROLE_BY_GROUP_NAME
        )

    def has_role(self, *roles: Role) -> bool:
        return self.is_active and not self.roles.isdisjoint(roles)

    @property
    def is_staff(self) -> bool:
        """May open the Django admin: decided by roles, never by a separate flag."""
        return self.is_active and (self.is_superuser or self.has_role(*ADMIN_ROLES))

    @property
    def is_councillor(self) -> bool:
        """Linked to a councillor or other member of the council's decision makers
        (committees' Person.user, COUNCILLOR_LINK), who reads the private papers of the
        committees they sit on: one query, then remembered (none for the person signed in:
        organisation.backends loads it with the account)."""
        if not hasattr(self, "_is_councillor"):
            self.remember_councillor(bool(self.pk) and hasattr(self, COUNCILLOR_LINK))
        return self._is_councillor

    def remember_councillor(self, linked: bool) -> None:
        self._is_councillor = bool(linked)

    @property
    def two_factor_reason(self) -> str:
        """Why the account must sign in with a second factor, in words its holder and an
        administrator both read ("…: {reason}"); empty if it need not.

        The one rule. needs_two_factor is this, and everything that asks who needs a second
        factor asks that: the middleware that stops a session until it is given, the admin
        site, the account pages, the demo data and its printed logins. A councillor's account
        is here whatever their memberships today: the link to the member is what lets it open
        exempt business, and a membership can start on any day with no change to the account.
        """
        if self.is_superuser:
            return "it is a superuser account"
        if self.has_role(*PRIVILEGED_ROLES):
            return "its roles give access to confidential information"
        if self.is_active and self.is_councillor:
            return (
                "it belongs to a councillor, and opens the private papers (exempt "
                "information) of their committees"
            )
        return ""

    @property
    def needs_two_factor(self) -> bool:
        return bool(self.two_factor_reason)


class EnrolmentMethod(models.TextChoices):
    LINK = "link", "Set-up link"
    REPLACEMENT = "replacement", "Code from the authenticator app it replaces"
    DEMO = "demo", "Demo data (never in production)"


class TwoFactorEnrolment(RecordModel):
    """Leave to set up one authenticator app for one account, used at most once.

    The password alone never gives it. A first authenticator needs a set-up link, issued by
    someone who may manage the account (or at the server's command line) and e-mailed to the
    account's own address; a replacement needs such a link or a fresh code from the
    authenticator it replaces. Only a hash of the link's token is stored
    (organisation/tokens.py). An authenticator counts as a second factor only if it was set up
    with one of these (`device`, `used_at`), so a device made any other way (the shell, an
    older version of the portal) opens nothing.
    """

    account = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="two_factor_enrolments"
    )
    method = models.CharField(max_length=20, choices=EnrolmentMethod.choices)
    # Who issued the link; None at the server's command line. The account itself for a
    # replacement.
    issued_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    nonce = models.CharField(max_length=64, blank=True, editable=False)
    # NULL for a replacement, which has no link: unique among links only.
    token_hash = models.CharField(  # noqa: DJ001
        max_length=64, unique=True, null=True, editable=False
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The authenticator being set up with it, then the one it set up.
    device = models.OneToOneField(
        TOTPDevice,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="portal_enrolment",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(used_at__isnull=True) | models.Q(cancelled_at__isnull=True),
                name="enrolment_used_or_cancelled_not_both",
            ),
            models.CheckConstraint(
                condition=~models.Q(method=EnrolmentMethod.LINK)
                | models.Q(token_hash__isnull=False),
                name="enrolment_link_has_a_token",
            ),
        ]

    def __str__(self):
        return f"{self.get_method_display()} for {self.account}"

    def is_open(self, now) -> bool:
        return self.used_at is None and self.cancelled_at is None and now < self.expires_at


class TwoFactorAction(models.TextChoices):
    ISSUED = "issued", "Set-up link sent"
    ENROLLED = "enrolled", "Authenticator app set up"
    REPLACED = "replaced", "Authenticator app replaced"
    REVOKED = "revoked", "Authenticator app removed"


class Via(models.TextChoices):
    ADMIN = "admin", "in the admin"
    COMMAND_LINE = "command_line", "at the server's command line"
    ACCOUNT = "account", "from their own account"
    DEMO = "demo", "by the demo data"


class TwoFactorEvent(RecordModel):
    """The record of an account's second factor: every set-up link issued, every
    authenticator set up, replaced or removed; who did it, how, and when (`created_at`).
    Shown on the account page, readable in the admin, and e-mailed to the account."""

    account = models.ForeignKey(User, on_delete=models.CASCADE, related_name="two_factor_events")
    action = models.CharField(max_length=20, choices=TwoFactorAction.choices)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    via = models.CharField(max_length=20, choices=Via.choices)
    enrolment = models.ForeignKey(
        TwoFactorEnrolment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "two-factor event"

    def __str__(self):
        return f"{self.get_action_display()}: {self.account}"
