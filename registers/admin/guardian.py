"""Per-record permission pages (guardian, through Unfold) and the "Mine" filter."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from unfold.widgets import UnfoldAdminSelectWidget

from registers.admin.access_trail import recorded_form
from registers.permissions import authority_scope
from registers.selectors.users import grant_candidates, mine_q


class MineFilter(admin.SimpleListFilter):
    """My visits, my contracts: the records the user is responsible for."""

    title = "responsible"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("yes", "Mine")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(mine_q(queryset.model, request.user))
        return queryset


class GuardianPagesMixin:
    """Managers grant and revoke per-record permissions from the record's page.

    Guardian's Reinforced mixin already requires guardian's own permissions
    to reach these pages; this also stops anyone (superusers apart) granting
    permissions to themselves (guardian issue #756).
    """

    change_form_template = "registers/admin/change_form.html"
    obj_perms_manage_template = "admin/guardian/model/obj_perms_manage.html"

    def can_manage_object_permissions(self, request) -> bool:
        user = request.user
        return user.has_perm("guardian.view_userobjectpermission") and user.has_perm(
            "guardian.view_groupobjectpermission"
        )

    def _known(self, request, object_pk, *ids) -> None:
        # Guardian looks these up without catching a malformed id: a 404, not a 500.
        malformed = not all(str(value).isdigit() for value in ids)
        if malformed or self.get_object(request, unquote(object_pk)) is None:
            raise Http404

    def obj_perms_manage_view(self, request, object_pk):
        self._known(request, object_pk)
        return super().obj_perms_manage_view(request, object_pk)

    def obj_perms_manage_user_view(self, request, object_pk, user_id):
        self._known(request, object_pk, user_id)
        if str(user_id) == str(request.user.pk) and not request.user.is_superuser:
            raise PermissionDenied("You cannot change your own permissions.")
        return super().obj_perms_manage_user_view(request, object_pk, user_id)

    def obj_perms_manage_group_view(self, request, object_pk, group_id):
        self._known(request, object_pk, group_id)
        if request.user.groups.filter(pk=group_id).exists() and not request.user.is_superuser:
            raise PermissionDenied("You cannot change the permissions of your own group.")
        return super().obj_perms_manage_group_view(request, object_pk, group_id)

    def get_obj_perms_user_select_form(self, request):
        # A person is found by name, not by typing their username (guardian's form).
        people = grant_candidates(
            authority_ids=authority_scope(request.user).member_ids, exclude_id=request.user.pk
        )

        class PersonForm(forms.Form):
            user = forms.ModelChoiceField(
                queryset=people,
                label="Person",
                empty_label="Choose a person by name",
                help_text="Everyone active on the portal, by name.",
                widget=UnfoldAdminSelectWidget,
            )

        return PersonForm

    def get_obj_perms_manage_user_form(self, request):
        form = super().get_obj_perms_manage_user_form(request)
        return recorded_form(form, actor=request.user, for_group=False)

    def get_obj_perms_manage_group_form(self, request):
        form = super().get_obj_perms_manage_group_form(request)
        return recorded_form(form, actor=request.user, for_group=True)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "show_object_permissions": self.can_manage_object_permissions(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)
