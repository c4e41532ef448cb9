from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from simple_history.admin import SimpleHistoryAdmin

from organisation.models import Council, Directorate, Service, User


@admin.register(Council)
class CouncilAdmin(SimpleHistoryAdmin):
    list_display = ["name", "website"]


class ServiceInline(admin.TabularInline):
    model = Service
    extra = 0


@admin.register(Directorate)
class DirectorateAdmin(SimpleHistoryAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    inlines = [ServiceInline]


@admin.register(Service)
class ServiceAdmin(SimpleHistoryAdmin):
    list_display = ["name", "directorate"]
    list_filter = ["directorate"]
    list_select_related = ["directorate"]
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    """Accounts and their roles. Superuser status is not offered here: it bypasses every role,
    so it is granted only with `manage.py createsuperuser` on the server."""

    ordering = ["full_name"]
    list_display = ["full_name", "email", "job_title", "directorate", "is_active"]
    list_filter = ["is_active", "groups", "directorate"]
    list_select_related = ["directorate"]
    search_fields = ["full_name", "email", "job_title"]
    filter_horizontal = ["groups"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "job_title", "directorate", "service", "telephone"]}),
        ("Roles", {"fields": ["is_active", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["label"] = "Roles"
            kwargs["help_text"] = "A person may hold several roles."
        return super().formfield_for_manytomany(db_field, request, **kwargs)


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
