"""Display helpers: UK money and dates, coloured labels."""

from datetime import date
from decimal import Decimal

from registers.models.common import RAG_COLOURS  # noqa: F401  (re-exported for the admins)
from registers.models.contracts import CONTRACT_STATUS_COLOURS  # noqa: F401
from registers.models.ofsted import JUDGEMENT_COLOURS  # noqa: F401
from registers.models.providers import ApprovalStatus
from registers.models.visits import VISIT_STATUS_COLOURS  # noqa: F401

APPROVAL_COLOURS = {
    ApprovalStatus.APPLICANT.label: "info",
    ApprovalStatus.APPROVED.label: "success",
    ApprovalStatus.APPROVED_WITH_CONDITIONS.label: "warning",
    ApprovalStatus.SUSPENDED.label: "danger",
    ApprovalStatus.REMOVED.label: "default",
}
TREND_COLOURS = {
    "Improved": "success",
    "Declined": "danger",
    "Same": "default",
    "First inspection": "info",
}
FLAG_COLOURS = {
    "Overdue": "danger",
    "overdue action": "danger",
    "overdue actions": "danger",
    "Enhanced monitoring": "danger",
    "Stale": "warning",
    "Not publishable": "danger",
    "Review missing": "warning",
    "Approval review": "danger",
    "Key contract": "info",
}


def pounds(value: Decimal | None) -> str:
    return "" if value is None else f"£{value:,.2f}"


def uk_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def labels(*texts: str) -> str:
    """Several coloured labels in one cell (Unfold's label takes only one)."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    parts = [
        render_to_string(
            "unfold/helpers/label.html",
            {
                "text": text,
                "variant": FLAG_COLOURS.get(
                    text.split(" ", 1)[-1] if text[:1].isdigit() else text, "danger"
                ),
            },
        )
        for text in texts
        if text
    ]
    return mark_safe(" ".join(parts)) if parts else "-"
