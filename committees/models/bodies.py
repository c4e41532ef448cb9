from django.db import models
from django.urls import reverse

from portal_kit.models import RecordModel


class LegislativeTerm(RecordModel):
    """A council term between elections (OParl LegislativeTerm)."""

    name = models.CharField(max_length=100)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="term_ends_after_start",
            )
        ]

    def __str__(self):
        return self.name


class Location(RecordModel):
    """Where meetings happen (OParl Location)."""

    room = models.CharField(max_length=150)
    street_address = models.CharField(max_length=200, blank=True)
    locality = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["room"]

    def __str__(self):
        return ", ".join(
            p for p in [self.room, self.street_address, self.locality, self.postal_code] if p
        )


class OrganizationType(models.TextChoices):
    COMMITTEE = "committee", "Committee"
    CABINET_MEMBER = "cabinet_member", "Cabinet member"
    CABINET = "cabinet", "Cabinet"
    FULL_COUNCIL = "full_council", "Full council"
    PANEL = "panel", "Panel"
    SUB_COMMITTEE = "sub_committee", "Sub-committee"


class Organization(RecordModel):
    """A committee or other decision maker (OParl Organization)."""

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=100, blank=True)
    slug = models.SlugField(max_length=200, unique=True)
    organization_type = models.CharField(max_length=20, choices=OrganizationType.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="sub_organizations"
    )
    purpose = models.TextField(blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    location = models.ForeignKey(Location, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("committees:committee", args=[self.slug])


class Person(RecordModel):
    """A councillor or other member (OParl Person). May or may not have a login."""

    title = models.CharField(max_length=50, default="Councillor")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=200, unique=True)
    party = models.CharField(max_length=100, blank=True)
    ward = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    telephone = models.CharField(max_length=50, blank=True)
    user = models.OneToOneField(
        "organisation.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="councillor",
    )

    class Meta:
        ordering = ["family_name", "given_name"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """The person as every output writes them, and as the council's agendas and minutes
        do: title, initial and family name ("Councillor G Duggins")."""
        return " ".join(
            part for part in (self.title, self.given_name[:1], self.family_name) if part
        )

    def get_absolute_url(self):
        return reverse("committees:councillor", args=[self.slug])


class MembershipRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    VICE_CHAIR = "vice_chair", "Vice-chair"
    MEMBER = "member", "Member"
    CABINET_MEMBER = "cabinet_member", "Cabinet Member"
    SHADOW_CABINET_MEMBER = "shadow_cabinet_member", "Shadow Cabinet Member"
    BY_INVITATION = "by_invitation", "By invitation"
    SUBSTITUTE = "substitute", "Substitute"


#: The order the council lists a body's members in: chair first, substitutes last.
ROLE_ORDER = (
    MembershipRole.CHAIR,
    MembershipRole.VICE_CHAIR,
    MembershipRole.CABINET_MEMBER,
    MembershipRole.MEMBER,
    MembershipRole.SHADOW_CABINET_MEMBER,
    MembershipRole.BY_INVITATION,
    MembershipRole.SUBSTITUTE,
)


class DatedQuerySet(models.QuerySet):
    """Rows that hold from a start date to an end date (either may be open)."""

    def current_on(self, day):
        return self.filter(
            (models.Q(start_date__isnull=True) | models.Q(start_date__lte=day))
            & (models.Q(end_date__isnull=True) | models.Q(end_date__gte=day))
        )


class MembershipQuerySet(DatedQuerySet):
    def in_role_order(self):
        """Chair first, then by role (ROLE_ORDER) and name: how every output lists members."""
        order = models.Case(
            *(models.When(role=role, then=models.Value(n)) for n, role in enumerate(ROLE_ORDER)),
            default=models.Value(len(ROLE_ORDER)),
            output_field=models.IntegerField(),
        )
        return self.annotate(role_order=order).order_by(
            "role_order", "person__family_name", "person__given_name", "pk"
        )


class Membership(RecordModel):
    """A person's place on an organisation for a period (OParl Membership)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=30, choices=MembershipRole.choices)
    # e.g. "By Invitation: Councillor J Blundell, Shadow Cabinet Member"
    invitation_role = models.CharField(max_length=30, choices=MembershipRole.choices, blank=True)
    voting_right = models.BooleanField(default=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    substitute_for = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="substituted_by"
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organization__name", "role", "person__family_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="membership_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.person} – {self.get_role_display()}, {self.organization}"


class Post(RecordModel):
    """A named office held by a person for a period, e.g. "Cabinet Member for Policy and
    Leadership"."""

    title = models.CharField(max_length=200)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="posts"
    )
    holder = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="posts")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        ordering = ["title", "-start_date"]

    def __str__(self):
        return f"{self.title}: {self.holder}"
