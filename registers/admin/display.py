"""Display helpers: UK money and dates, and the colours of the portal's labels."""

from datetime import date
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from registers.models import ApprovalStatus, ContractStatus, Judgement, Rag, VisitStatus

APPROVAL_COLOURS = {
    ApprovalStatus.APPLICANT.label: "info",
    ApprovalStatus.APPROVED.label: "success",
    ApprovalStatus.APPROVED_WITH_CONDITIONS.label: "warning",
    ApprovalStatus.SUSPENDED.label: "danger",
    ApprovalStatus.REMOVED.label: "default",
}
JUDGEMENT_COLOURS = {
    Judgement.OUTSTANDING.label: "success",
    Judgement.GOOD.label: "info",
    Judgement.REQUIRES_IMPROVEMENT.label: "warning",
    Judgement.ADEQUATE.label: "warning",
    Judgement.SATISFACTORY.label: "warning",
    Judgement.INADEQUATE.label: "danger",
    Judgement.NOT_JUDGED.label: "default",
    Judgement.IMPROVED.label: "success",
    Judgement.SUSTAINED.label: "info",
    Judgement.DECLINED.label: "danger",
}
CONTRACT_STATUS_COLOURS = {
    ContractStatus.AWAITING_AUTHORISATION.label: "warning",
    ContractStatus.NOT_STARTED.label: "default",
    ContractStatus.ACTIVE.label: "success",
    ContractStatus.EXTENDED.label: "info",
    ContractStatus.EXPIRING.label: "warning",
    ContractStatus.EXPIRED.label: "default",
    ContractStatus.TERMINATED.label: "danger",
}
VISIT_STATUS_COLOURS = {
    VisitStatus.PLANNED.label: "info",
    VisitStatus.COMPLETED.label: "warning",
    VisitStatus.REPORT_ISSUED.label: "success",
    VisitStatus.CANCELLED.label: "default",
}
RAG_COLOURS = {Rag.RED.label: "danger", Rag.AMBER.label: "warning", Rag.GREEN.label: "success"}
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
    "Compliance notice": "danger",
    "Restriction on accommodation": "danger",
    "Under enforcement": "danger",
    "Stale": "warning",
    "Not publishable": "danger",
    "Review missing": "warning",
    "Approval review": "danger",
    "Reg 44 missing": "warning",
    "Reg 45 overdue": "warning",
    "Response overdue": "danger",
    "Key contract": "info",
    "Ending soon": "warning",
}


def pounds(value: Decimal | None) -> str:
    return "" if value is None else f"£{value:,.2f}"


def uk_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def labels(*texts: str) -> str:
    """Several coloured labels in one cell (Unfold's label takes only one)."""
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
    # nosec B308 B703: each part is render_to_string output, which autoescapes the text.
    return mark_safe(" ".join(parts)) if parts else "-"  # nosec B308 B703
