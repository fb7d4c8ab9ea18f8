"""The home page: what needs attention today, for the roles that can see it.
Counts of owned records are of the user's own authorities (owned_by)."""

from django.urls import reverse
from django.utils import timezone

from registers.models import (
    ActionItem,
    Authority,
    Concern,
    Contract,
    ContractStatus,
    Provider,
    Setting,
    Visit,
    VisitStatus,
)
from registers.permissions import authority_scope, owned_by
from registers.selectors.contracts import decisions_due, with_status
from registers.selectors.enforcements import settings_under_enforcement
from registers.selectors.settings import monitored_for_q, settings_in_use


def _card(title, value, link, note=""):
    return {"title": title, "value": value, "link": link, "note": note}


def dashboard_callback(request, context):
    user = request.user
    today = timezone.localdate()
    cards = []
    if user.has_perm("registers.view_setting"):
        cards.append(
            _card(
                "Settings under enhanced monitoring",
                Setting.objects.filter(
                    monitored_for_q(authority_ids=authority_scope(user).member_ids)
                ).count(),
                reverse("admin:registers_setting_changelist") + "?enhanced_monitoring=yes",
                "Requires improvement or Inadequate, in use",
            )
        )
        cards.append(
            _card(
                "Settings under enforcement",
                settings_under_enforcement().count(),
                reverse("admin:registers_setting_changelist") + "?enforcement=yes",
                "Ofsted compliance notice or restriction on accommodation",
            )
        )
        cards.append(
            _card(
                "Settings in use",
                settings_in_use(today=today).count(),
                reverse("admin:registers_setting_changelist") + "?in_use=yes",
            )
        )
    if user.has_perm("registers.view_provider"):
        cards.append(
            _card(
                "Approval reviews open",
                Provider.objects.filter(approval_review_required=True).count(),
                reverse("admin:registers_provider_changelist") + "?review=open",
            )
        )
    if user.has_perm("registers.view_contract"):
        contracts = with_status(owned_by(user, Contract.objects.all()), today=today)
        cards.append(
            _card(
                "Recommissioning decisions due",
                decisions_due(contracts, today=today, within_months=3).count(),
                reverse("admin:registers_contract_changelist") + "?decision=due",
                "Overdue or within 3 months",
            )
        )
        cards.append(
            _card(
                "Spot purchases awaiting authorisation",
                contracts.filter(status=ContractStatus.AWAITING_AUTHORISATION).count(),
                reverse("admin:registers_contract_changelist") + "?status=awaiting_authorisation",
            )
        )
    if user.has_perm("registers.view_visit"):
        cards.append(
            _card(
                "Planned visits overdue",
                owned_by(user, Visit.objects.overdue(today=today)).count(),
                reverse("admin:registers_visit_changelist") + "?due=overdue",
            )
        )
        cards.append(
            _card(
                "My visits in the next 14 days",
                Visit.objects.filter(
                    lead_officer=user,
                    status=VisitStatus.PLANNED,
                    planned_date__range=(today, today + timezone.timedelta(days=14)),
                ).count(),
                reverse("admin:registers_visit_my"),
            )
        )
    if user.has_perm("registers.view_actionitem"):
        cards.append(
            _card(
                "Overdue actions",
                owned_by(user, ActionItem.objects.overdue(today=today)).count(),
                reverse("admin:registers_actionitem_changelist") + "?overdue=yes",
            )
        )
    if user.has_perm("registers.view_concern"):
        cards.append(
            _card(
                "Open provider concerns",
                owned_by(user, Concern.objects.open()).count(),
                reverse("admin:registers_concern_changelist") + "?open=yes",
            )
        )
    if user.has_perm("registers.view_regional"):
        cards.append(
            _card(
                "Authorities on the regional dashboard",
                Authority.objects.count(),
                reverse("admin:registers_regional"),
                "Contracts, spend, visits and RI settings by authority",
            )
        )
    context.update({"cards": cards, "today": today})
    return context
