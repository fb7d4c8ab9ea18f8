"""Sidebar permissions: each item shows only to those who may open it."""

from django.conf import settings


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
can_view_action_items = _can("registers.view_actionitem")
can_view_concerns = _can("registers.view_concern")
can_view_enforcement = _can("registers.view_enforcement")
can_view_letter_templates = _can("registers.view_lettertemplate")
can_view_compliance = _can("registers.view_compliancedocument")
can_view_regulation_reports = _can("registers.view_regulationreport")
can_view_frameworks = _can("registers.view_framework")
can_view_users = _can("auth.view_user")
can_view_groups = _can("auth.view_group")


def environment(request):
    if settings.DEBUG:
        return ["Development: demo data", "warning"]
    return None
