"""The home page: each role's own, with what needs attention today.

Every figure links to the list behind it, filtered, and is counted by the
rule that list filters by (registers/selectors/home.py), over the records of
the user's own authorities.
"""

import json

from django.urls import reverse
from django.utils import timezone

from portal.home_charts import list_link, manager_charts
from registers import roles
from registers.models import Authority, Contract
from registers.selectors.contracts import with_status
from registers.selectors.home import (
    DECISION_MONTHS,
    ENDING_MONTHS,
    EXPIRY_DAYS,
    approval_reviews_open,
    contract_counts,
    documents_expiring,
    home_role,
    my_overdue_actions_by_provider,
    open_concerns,
    recent_access_changes,
    recent_changes,
    setting_counts,
    visible,
    visit_counts,
)
from registers.services.transparency import contracts_not_publishable

# Chart.js options: grouped bars with a legend (Unfold's defaults draw one series).
CHART_OPTIONS = json.dumps(
    {
        "animation": False,
        "responsive": True,
        "maintainAspectRatio": False,
        "plugins": {"legend": {"display": True, "position": "bottom"}},
        "scales": {"y": {"beginAtZero": True, "ticks": {"precision": 0}}},
    }
)


def _figure(title, value, link, note=""):
    return {"title": title, "value": value, "link": link, "note": note}


def _panel(title, *figures, intro=""):
    return {"title": title, "intro": intro, "figures": list(figures)}


def manager_home(user, today):
    contracts = contract_counts(user, today=today)
    settings = setting_counts(user)
    visits = visit_counts(user, today=today)
    panels = [
        _panel(
            "Settings and providers",
            _figure(
                "Settings under enhanced monitoring",
                settings["enhanced_monitoring"],
                list_link("setting", enhanced_monitoring="yes"),
                "Requires improvement or Inadequate, in use",
            ),
            _figure(
                "Settings under enforcement",
                settings["under_enforcement"],
                list_link("setting", enforcement="yes"),
                "Ofsted compliance notice or restriction on accommodation",
            ),
            _figure(
                "Approval reviews open",
                approval_reviews_open(user),
                list_link("provider", review="open"),
            ),
        ),
        _panel(
            "Approvals and reviews",
            _figure(
                "Spot purchases awaiting authorisation",
                contracts["awaiting_authorisation"],
                list_link("contract", status="awaiting_authorisation"),
            ),
            _figure(
                "Contracts missing their quarterly review",
                contracts["reviews_missing"],
                list_link("contract", review="missing"),
            ),
            _figure(
                "Recommissioning decisions due",
                contracts["decisions_due"],
                list_link("contract", decision="due"),
                f"Overdue or within {DECISION_MONTHS} months",
            ),
        ),
        _panel(
            "Visits and concerns",
            _figure(
                "Planned visits overdue",
                visits["overdue"],
                list_link("visit", due="overdue"),
            ),
            _figure(
                "Open provider concerns",
                open_concerns(user).count(),
                list_link("concern", open="yes"),
            ),
        ),
    ]
    return {"panels": panels, "charts": manager_charts(user, today=today)}


def qa_home(user, today):
    visits = visit_counts(user, today=today)
    by_provider = my_overdue_actions_by_provider(user, today=today)
    panels = [
        _panel(
            "My visits",
            _figure(
                "My visits this week",
                visits["my_this_week"],
                list_link("visit", mine="yes", due="week"),
                "Planned from today to Sunday",
            ),
            _figure(
                "My visits overdue",
                visits["my_overdue"],
                list_link("visit", mine="yes", due="overdue"),
            ),
            _figure(
                "Reports to issue",
                visits["my_awaiting_report"],
                list_link("visit", mine="yes", status__exact="completed"),
                "Visits completed, report not issued",
            ),
        ),
        _panel(
            "Overdue actions by provider",
            *[
                _figure(
                    row["provider_name"] or "No provider",
                    row["actions"],
                    list_link("actionitem", overdue="yes", mine="yes", provider=row["provider_id"]),
                )
                for row in by_provider
                if row["provider_id"]
            ],
            intro="" if by_provider else "No action of your visits is overdue.",
        ),
    ]
    return {"panels": panels}


def officer_home(user, today):
    contracts = contract_counts(user, today=today)
    panels = [
        _panel(
            "My contracts",
            _figure(
                "My contracts ending",
                contracts["my_ending"],
                list_link("contract", mine="yes", expiring=str(ENDING_MONTHS)),
                f"Within {ENDING_MONTHS} months",
            ),
            _figure(
                "Recommissioning decisions due",
                contracts["my_decisions_due"],
                list_link("contract", mine="yes", decision="due"),
                f"Overdue or within {DECISION_MONTHS} months",
            ),
            _figure(
                "Quarterly reviews missing",
                contracts["my_reviews_missing"],
                list_link("contract", mine="yes", review="missing"),
            ),
            _figure(
                "Spot purchases awaiting authorisation",
                contracts["my_awaiting_authorisation"],
                list_link("contract", mine="yes", status="awaiting_authorisation"),
            ),
        ),
    ]
    return {"panels": panels}


def support_home(user, today):
    settings = setting_counts(user)
    contracts = with_status(visible(user, Contract.objects.all()), today=today)
    panels = [
        _panel(
            "Data to fix",
            _figure(
                "Settings to match",
                settings["to_match"],
                list_link("setting", matched="no"),
                "No provider yet",
            ),
            _figure(
                "Contracts not publishable",
                len(contracts_not_publishable(contracts)),
                list_link("contract", publishable="no"),
                "Missing a field the Transparency Code requires",
            ),
            _figure(
                "Documents expiring",
                documents_expiring(user, today=today),
                list_link("compliancedocument", expiry=str(EXPIRY_DAYS)),
                f"Within {EXPIRY_DAYS} days",
            ),
        ),
    ]
    return {"panels": panels}


# How a history entry names its record, from its own columns (no query per row).
RECENT_LABELS = {
    "contract": lambda row: f"{row.reference}, {row.title}",
    "visit": lambda row: f"planned for {row.planned_date:%d/%m/%Y}",
    "provider": lambda row: row.name,
    "concern": lambda row: f"raised on {row.raised_on:%d/%m/%Y}",
}


def _history_row(row):
    opts = row.instance_type._meta
    user = row.history_user
    return {
        "what": f"{opts.verbose_name.capitalize()} {RECENT_LABELS[opts.model_name](row)}",
        "kind": row.get_history_type_display(),
        "who": (user.get_full_name() or user.get_username()) if user else "the system",
        "when": row.history_date,
        "why": row.history_change_reason or "",
        "link": reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[row.id]),
    }


def auditor_home(user, today):
    changes = [_history_row(row) for row in recent_changes(user)]
    access = [
        {
            "what": f"{event.get_kind_display()}: {event.subject_name or event.group_name}",
            "who": (event.actor.get_full_name() or event.actor.get_username())
            if event.actor
            else "the system",
            "when": event.at,
            "why": event.reason,
            "link": reverse("admin:registers_accessevent_change", args=[event.pk]),
        }
        for event in recent_access_changes()
    ]
    return {
        "panels": [],
        "trails": [
            {
                "title": "Recent changes",
                "rows": changes,
                "empty": "No change recorded yet.",
                "more": None,
            },
            {
                "title": "Recent access changes",
                "rows": access,
                "empty": "No access change recorded yet.",
                "more": reverse("admin:registers_accessevent_changelist"),
            },
        ],
    }


def regional_home(user, today):
    return {
        "panels": [
            _panel(
                "Across the region",
                _figure(
                    "Authorities on the regional dashboard",
                    Authority.objects.count(),
                    reverse("admin:registers_regional"),
                    "Contracts, spend, visits and RI settings by authority",
                ),
            )
        ]
    }


HOMES = {
    roles.MANAGER: manager_home,
    roles.QA_OFFICER: qa_home,
    roles.COMMISSIONING_OFFICER: officer_home,
    roles.BUSINESS_SUPPORT: support_home,
    roles.AUDITOR: auditor_home,
    roles.REGIONAL_LEAD: regional_home,
}


def dashboard_callback(request, context):
    user = request.user
    today = timezone.localdate()
    role = home_role(user)
    home = HOMES[role](user, today) if role else {"panels": []}
    # Every figure, flat: what the page counts, whichever panel shows it.
    cards = [figure for panel in home["panels"] for figure in panel["figures"]]
    context.update(
        {
            "home": home,
            "home_role": role,
            "cards": cards,
            "today": today,
            "chart_options": CHART_OPTIONS,
        }
    )
    return context
