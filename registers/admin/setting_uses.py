"""Each authority's own side of a shared setting, on the settings screens: the
enhanced-monitoring flag of the user's own councils, and a manager's choice to
opt their council out of (or back into) an approved provider's setting.

An install of one council shows the flag as it always did and nothing else.
"""

from django import forms
from django.contrib import admin
from django.db.models import Exists, OuterRef
from unfold.decorators import display

from registers.admin.action_pages import ActionPage
from registers.admin.display import uk_date
from registers.admin.forms import ActionForm
from registers.models import AuthoritySetting
from registers.permissions import authority_names, authority_scope
from registers.selectors.settings import authority_uses_of, monitored_for_q
from registers.services.setting_uses import setting_use_allowed, setting_use_choose

USE = "use"
OPT_OUT = "opt_out"


class EnhancedMonitoringFilter(admin.SimpleListFilter):
    """Under enhanced monitoring for the user's own authorities."""

    title = "enhanced monitoring"
    parameter_name = "enhanced_monitoring"

    def lookups(self, request, model_admin):
        return [("yes", "Under enhanced monitoring"), ("no", "Not under enhanced monitoring")]

    def queryset(self, request, queryset):
        condition = monitored_for_q(authority_ids=authority_scope(request.user).member_ids)
        if self.value() == "yes":
            return queryset.filter(condition)
        if self.value() == "no":
            return queryset.exclude(condition)
        return queryset


class SettingUseForm(ActionForm):
    authority = forms.TypedChoiceField(label="Authority", coerce=int)
    use = forms.ChoiceField(
        label="Your council",
        choices=[(USE, "Uses this setting"), (OPT_OUT, "Does not use it (opt out)")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scope = authority_scope(self.user)
        self.fields["authority"].choices = [
            (pk, scope.names[pk]) for pk in sorted(scope.member_ids, key=scope.names.get)
        ]


def _choose_use(setting, data, user) -> str:
    opted_out = data["use"] == OPT_OUT
    setting_use_choose(
        setting=setting,
        authority_id=data["authority"],
        opted_out=opted_out,
        user=user,
        reason=data["reason"],
    )
    name = authority_scope(user).names[data["authority"]]
    if opted_out:
        return f"{name} no longer uses {setting}."
    return f"{name} uses {setting}."


SETTING_USE_PAGE = ActionPage(
    name="council_use",
    label="Your council's use",
    icon="handshake",
    form=SettingUseForm,
    title="Does your council use this setting?",
    run=_choose_use,
    allowed=lambda setting, user: setting_use_allowed(user=user),
    intro=(
        "Every member authority uses an approved provider's settings unless it opts out. "
        "A council with a live contract naming the setting uses it whatever is chosen here. "
        "The Requires improvement / Inadequate process runs for each council that uses it."
    ),
)


class SettingUsesMixin:
    """The user's own flag in lists, and each council's use on the setting's page."""

    def get_queryset(self, request):
        flags = AuthoritySetting.objects.filter(
            setting=OuterRef("pk"),
            enhanced_monitoring=True,
            authority_id__in=sorted(authority_scope(request.user).member_ids),
        )
        return super().get_queryset(request).annotate(monitored_here=Exists(flags))

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None or not authority_scope(request.user).multi:
            return fieldsets
        return [*fieldsets, ("Councils", {"classes": ["tab"], "fields": ["council_uses"]})]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "council_uses"]

    @display(description="Each council's use")
    def council_uses(self, obj):
        names = authority_names()
        uses = authority_uses_of(setting=obj)
        lines = []
        for pk in sorted(names, key=names.get):
            row = uses.get(pk)
            parts = [names[pk]]
            if row is not None and row.opted_out:
                parts.append("opted out")
            if row is not None and row.enhanced_monitoring:
                parts.append(f"enhanced monitoring since {uk_date(row.enhanced_monitoring_since)}")
            lines.append(": ".join(parts[:1]) + (" – " + ", ".join(parts[1:]) if parts[1:] else ""))
        return "; ".join(lines) or "-"
