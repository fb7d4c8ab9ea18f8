"""A contract's variations, quarterly reviews and documents, on its page."""

from registers.admin.inlines import EditableTabularInline
from registers.dates import quarters_kind
from registers.models import ContractDocument, ContractReview, ContractVariation
from registers.services.contract_records import (
    contract_children_check,
    contract_children_write,
    contract_variation_record,
)


class ContractChildInline(EditableTabularInline):
    service_check = contract_children_check
    service_write = contract_children_write


class VariationInline(ContractChildInline):
    model = ContractVariation
    fields = [
        "kind",
        "effective_date",
        "percentage",
        "new_annual_value",
        "reason",
        "approved_by",
        "previous_annual_value",
        "resulting_annual_value",
        "applied_on",
    ]
    readonly_fields = ["previous_annual_value", "resulting_annual_value", "applied_on"]
    verbose_name_plural = "Price uplifts and variations"

    def save_record(self, obj, *, user, reason: str) -> None:
        if obj.pk is None:
            # A variation already in effect changes the contract's value now.
            contract_variation_record(variation=obj, user=user, reason=reason)
        else:
            super().save_record(obj, user=user, reason=reason)


class ReviewInline(ContractChildInline):
    model = ContractReview
    fields = ["year", "quarter", "rag", "kpis", "notes", "reviewed_on", "reviewer"]
    readonly_fields = ["reviewer"]
    verbose_name_plural = "Quarterly monitoring"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "quarter" and field is not None:
            # The install's quarters (REPORTING_QUARTERS), not the model's fixed text.
            field.help_text = quarters_kind().capitalize() + "."
        return field


class DocumentInline(ContractChildInline):
    model = ContractDocument
    fields = ["kind", "title", "file", "uploaded_by", "uploaded_at"]
    readonly_fields = ["uploaded_by", "uploaded_at"]
    verbose_name_plural = "Documents"
