"""Authorities in the admin: the authority field and filter of owned records,
shown only to a user in several authorities (an install of one council shows
no trace of them), and the authorities themselves, for set-up."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from unfold.admin import ModelAdmin

from registers.models import Authority
from registers.permissions import authority_names, authority_scope, owned_path
from registers.selectors.regional import (
    concerning_settings,
    contracts_by_authority,
    settings_used_by_several,
    visits_by_authority,
)
from registers.services.authorities import authority_choices

FIELD = "authority"
REGIONAL_PERMISSION = "registers.view_regional"


class AuthorityFieldMixin:
    def shows_authority(self, request) -> bool:
        if owned_path(self.model) != FIELD:
            return False
        return len(authority_scope(request.user).member_ids) > 1

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.shows_authority(request):
            return fieldsets
        named = {name for _, options in fieldsets for name in _flat(options.get("fields", ()))}
        if FIELD in named:
            return fieldsets
        return [(None, {"fields": [FIELD]}), *fieldsets]

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if owned_path(self.model) == FIELD and not self.shows_authority(request):
            exclude.append(FIELD)
        return exclude

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if self.shows_authority(request):
            columns.insert(1, "authority_name")
        return columns

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if self.shows_authority(request):
            filters.insert(0, AuthorityFilter)
        return filters

    @admin.display(description="Authority", ordering="authority__name")
    def authority_name(self, obj):
        # Names from the request's one authorities query: no query per row.
        return authority_names().get(obj.authority_id, "")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == FIELD and owned_path(self.model) == FIELD:
            # The form offers only the user's own authorities.
            kwargs["queryset"] = authority_choices(user=request.user)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.name == FIELD and owned_path(self.model) == FIELD:
            # The same choices from the request's one authorities query: no query to draw
            # the form (the queryset still validates what is posted).
            scope = authority_scope(request.user)
            field.choices = [("", "---------")] + [
                (pk, scope.names[pk]) for pk in sorted(scope.member_ids, key=scope.names.get)
            ]
        return field


class AuthorityFilter(admin.SimpleListFilter):
    """The user's own authorities, from the request's one authorities query."""

    title = "authority"
    parameter_name = "authority"

    def lookups(self, request, model_admin):
        scope = authority_scope(request.user)
        return [(str(pk), scope.names[pk]) for pk in sorted(scope.member_ids, key=scope.names.get)]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(authority_id=int(value))
        return queryset


def _flat(fields):
    for name in fields:
        if isinstance(name, list | tuple):
            yield from name
        else:
            yield name


@admin.register(Authority)
class AuthorityAdmin(ModelAdmin):
    """For set-up: superusers only (no role holds authority permissions)."""

    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    filter_horizontal = ["members"]

    def get_urls(self):
        return [
            path(
                "regional/",
                self.admin_site.admin_view(self.regional_view),
                name="registers_regional",
            ),
        ] + super().get_urls()

    def regional_view(self, request):
        """Counts and sums by authority, for the Regional lead: no record-level access."""
        if not request.user.has_perm(REGIONAL_PERMISSION):
            raise PermissionDenied
        today = timezone.localdate()
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request,
            "registers/admin/regional.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Regional dashboard",
                "today": today,
                "contracts": contracts_by_authority(today=today),
                "visits": visits_by_authority(),
                "shared": settings_used_by_several(today=today),
                "concerning": concerning_settings(today=today),
            },
        )
