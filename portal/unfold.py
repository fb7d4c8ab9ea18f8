"""django-unfold configuration: branding and the sidebar of four registers."""

from django.templatetags.static import static
from django.urls import reverse_lazy


def _link(name: str, query: str = ""):
    url = reverse_lazy(name)
    return lambda request: f"{url}{query}"


def _item(title: str, icon: str, name: str, permission: str, query: str = "") -> dict:
    return {
        "title": title,
        "icon": icon,
        "link": _link(name, query),
        "permission": f"portal.navigation.{permission}",
    }


# The four registers, as the sidebar lists them under each user's own views.
NAVIGATION = [
    {
        "title": "Approved provider list",
        "items": [
            _item(
                "Providers",
                "apartment",
                "admin:registers_provider_changelist",
                "can_view_providers",
            ),
            _item(
                "Approval reviews",
                "rule",
                "admin:registers_provider_changelist",
                "can_view_providers",
                "?review=open",
            ),
            _item(
                "Settings to match",
                "link_off",
                "admin:registers_setting_changelist",
                "can_view_settings",
                "?matched=no",
            ),
            _item(
                "Compliance documents",
                "verified_user",
                "admin:registers_compliancedocument_changelist",
                "can_view_compliance",
            ),
            _item(
                "Documents expiring",
                "event_busy",
                "admin:registers_compliancedocument_changelist",
                "can_view_compliance",
                "?expiry=30",
            ),
        ],
    },
    {
        "title": "Ofsted rating tracker",
        "items": [
            _item(
                "Settings and ratings",
                "home_work",
                "admin:registers_setting_changelist",
                "can_view_settings",
            ),
            _item(
                "Enhanced monitoring",
                "crisis_alert",
                "admin:registers_setting_changelist",
                "can_view_settings",
                "?enhanced_monitoring=yes",
            ),
            _item(
                "Enforcement",
                "gavel",
                "admin:registers_enforcement_changelist",
                "can_view_enforcement",
            ),
            _item(
                "Inspections",
                "fact_check",
                "admin:registers_inspection_changelist",
                "can_view_inspections",
            ),
            _item(
                "Import Ofsted file",
                "upload_file",
                "admin:registers_setting_ofsted_import",
                "can_import_settings",
            ),
            _item(
                "Import runs",
                "history",
                "admin:registers_importrun_changelist",
                "can_view_import_runs",
            ),
        ],
    },
    {
        "title": "Contracts register",
        "items": [
            _item(
                "Contracts",
                "contract",
                "admin:registers_contract_changelist",
                "can_view_contracts",
            ),
            _item(
                "Recommissioning due",
                "event_upcoming",
                "admin:registers_contract_changelist",
                "can_view_contracts",
                "?decision=due",
            ),
            _item(
                "Expiring in 6 months",
                "hourglass_bottom",
                "admin:registers_contract_changelist",
                "can_view_contracts",
                "?expiring=6",
            ),
            _item(
                "Spot fund applications",
                "savings",
                "admin:registers_spotfundapplication_changelist",
                "can_view_spot_funds",
            ),
            _item(
                "Transparency Code file",
                "publish",
                "admin:registers_contract_transparency",
                "can_export_contracts",
            ),
        ],
    },
    {
        "title": "Brokerage",
        "items": [
            _item(
                "Referrals",
                "diversity_1",
                "admin:registers_referral_changelist",
                "can_see_placements",
            ),
            _item(
                "My referrals",
                "person_search",
                "admin:registers_referral_changelist",
                "can_view_referrals",
                "?list=mine",
            ),
            _item(
                "Awaiting responses",
                "hourglass_top",
                "admin:registers_referral_changelist",
                "can_view_referrals",
                "?list=awaiting",
            ),
            _item(
                "Past deadline, no offer",
                "report",
                "admin:registers_referral_changelist",
                "can_view_referrals",
                "?list=no_offer",
            ),
            _item(
                "Awaiting signed agreements",
                "draw",
                "admin:registers_referral_changelist",
                "can_view_referrals",
                "?list=agreement",
            ),
        ],
    },
    {
        "title": "Quality assurance",
        "items": [
            _item("My visits", "assignment_ind", "admin:registers_visit_my", "can_view_visits"),
            _item(
                "Due and overdue",
                "notification_important",
                "admin:registers_visit_due",
                "can_view_visits",
            ),
            _item(
                "Calendar",
                "calendar_month",
                "admin:registers_visit_calendar",
                "can_view_visits",
            ),
            _item(
                "All visits",
                "event_note",
                "admin:registers_visit_changelist",
                "can_view_visits",
            ),
            _item(
                "Action items",
                "checklist",
                "admin:registers_actionitem_changelist",
                "can_view_action_items",
            ),
            _item(
                "Provider concerns",
                "report",
                "admin:registers_concern_changelist",
                "can_view_concerns",
            ),
            _item(
                "Concern letter templates",
                "mail",
                "admin:registers_lettertemplate_changelist",
                "can_view_letter_templates",
            ),
            _item(
                "Regulation 44/45 reports",
                "summarize",
                "admin:registers_regulationreport_changelist",
                "can_view_regulation_reports",
            ),
            _item(
                "Placement checks",
                "fact_check",
                "admin:registers_placementcheck_changelist",
                "can_view_placement_checks",
            ),
        ],
    },
    {
        "title": "Administration",
        "items": [
            _item(
                "Frameworks",
                "account_tree",
                "admin:registers_framework_changelist",
                "can_view_frameworks",
            ),
            _item("Users", "person", "admin:auth_user_changelist", "can_view_users"),
            _item("Groups", "group", "admin:auth_group_changelist", "can_view_groups"),
            _item(
                "My reminders",
                "notifications",
                "admin:my_reminders",
                "can_choose_reminders",
            ),
            _item(
                "Reminder defaults",
                "notification_add",
                "admin:reminder_defaults",
                "can_set_reminder_defaults",
            ),
        ],
    },
]


UNFOLD = {
    "SITE_TITLE": "Commissioning Portal",
    "SITE_HEADER": "Commissioning Portal",
    "SITE_SUBHEADER": "Children's services commissioning",
    "SITE_SYMBOL": "diversity_3",
    "SITE_URL": "/admin/",
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": False,
    "SHOW_BACK_BUTTON": True,
    "ENVIRONMENT": "portal.navigation.environment",
    "DASHBOARD_CALLBACK": "portal.dashboard.dashboard_callback",
    "STYLES": [lambda request: static("portal/css/portal.css")],
    "SCRIPTS": [
        lambda request: static("portal/js/portal.js"),
        lambda request: static("portal/js/session-timeout.js"),
    ],
    "COLORS": {
        # Council blue; the darker shades keep text contrast above WCAG AA.
        "primary": {
            "50": "oklch(97% .014 254.604)",
            "100": "oklch(93.2% .032 255.585)",
            "200": "oklch(88.2% .059 254.128)",
            "300": "oklch(80.9% .105 251.813)",
            "400": "oklch(70.7% .165 254.624)",
            "500": "oklch(58% .2 259)",
            "600": "oklch(50% .21 262)",
            "700": "oklch(45% .2 264)",
            "800": "oklch(40% .17 265)",
            "900": "oklch(35% .13 266)",
            "950": "oklch(28% .09 268)",
        },
        "font": {
            "subtle-light": "var(--color-base-600)",
            "subtle-dark": "var(--color-base-300)",
            "default-light": "var(--color-base-700)",
            "default-dark": "var(--color-base-200)",
            "important-light": "var(--color-base-900)",
            "important-dark": "var(--color-base-100)",
        },
    },
    "SIDEBAR": {
        "show_search": False,
        "show_all_applications": False,
        # The saved views first, then the registers (portal.navigation.sidebar).
        "navigation": "portal.navigation.sidebar",
    },
}
