"""The sidebar: the user's own views, then the registers; each item shows only
to those who may open it."""

from django.conf import settings
from django.urls import reverse

from portal.unfold import NAVIGATION
from registers.selectors.saved_views import list_url, sidebar_views


def _can(perm: str):
    return lambda request: request.user.is_active and request.user.has_perm(perm)


can_view_providers = _can("registers.view_provider")
can_view_settings = _can("registers.view_setting")
can_view_inspections = _can("registers.view_inspection")
can_import_settings = _can("registers.import_setting")
can_view_import_runs = _can("registers.view_importrun")
can_view_contracts = _can("registers.view_contract")
can_export_contracts = _can("registers.export_contract")
can_view_spot_funds = _can("registers.view_spotfundapplication")
can_view_visits = _can("registers.view_visit")
can_view_referrals = _can("registers.view_referral")


def can_see_placements(request) -> bool:
    """QA officers see the awarded placements at settings they visit."""
    user = request.user
    return user.is_active and (
        user.has_perm("registers.view_referral")
        or user.has_perm("registers.view_placements_referral")
    )


can_view_action_items = _can("registers.view_actionitem")
can_view_concerns = _can("registers.view_concern")
can_view_enforcement = _can("registers.view_enforcement")
can_view_letter_templates = _can("registers.view_lettertemplate")
can_view_compliance = _can("registers.view_compliancedocument")
can_view_regulation_reports = _can("registers.view_regulationreport")
can_view_placement_checks = _can("registers.view_placementcheck")
can_view_frameworks = _can("registers.view_framework")
can_view_users = _can("auth.view_user")
can_view_groups = _can("auth.view_group")
can_set_reminder_defaults = _can("registers.change_rolereminderdefault")


def can_choose_reminders(request):
    # Every signed-in user chooses their own reminders.
    return request.user.is_active and request.user.is_staff


def environment(request):
    if settings.DEBUG:
        return ["Development: demo data", "warning"]
    return None


def _may_open(user, model_label: str) -> bool:
    # From the permissions the page has read already: no query.
    app_label, model_name = model_label.split(".")
    return any(user.has_perm(f"{app_label}.{action}_{model_name}") for action in ("view", "change"))


def sidebar(request):
    user = request.user
    # Staff without a role see no list, so have no view to save.
    if not user.is_active or not user.has_module_perms("registers"):
        return NAVIGATION
    items = [
        {
            "title": view.name,
            "icon": view.icon,
            "link": list_url(view.model, view.query),
        }
        for view in sidebar_views(user)
        if _may_open(user, view.model)
    ]
    items.append({"title": "Manage my views", "icon": "tune", "link": reverse("saved_views:list")})
    return [{"title": "My views", "items": items}, *NAVIGATION]
