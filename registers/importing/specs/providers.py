"""Providers and settings in spreadsheets."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from registers.importing.cells import Choice, DateValue, Integer, Text, YesNo
from registers.importing.engine import Column, ParsedRow, Spec
from registers.importing.specs.common import (
    dd_mm_yyyy,
    label_of,
    provider_lookup,
    resolve_column,
    urn_parser,
    yes_no,
)
from registers.models import ApprovalStatus, Provider, RegistrationStatus, Sector, Setting
from registers.models.providers import IN_USE_APPROVAL_STATUSES, normalise_provider_name
from registers.permissions import has_perm
from registers.validators import (
    normalise_company_number,
    normalise_postcode,
    validate_charity_number,
    validate_company_number,
    validate_education_urn,
    validate_postcode,
)


def address_columns() -> list[Column]:
    return [
        Column("Address line 1", "address_line_1", Text(200)),
        Column("Address line 2", "address_line_2", Text(200)),
        Column("Town", "town", Text(100)),
        Column("County", "county", Text(100)),
        Column(
            "Postcode",
            "postcode",
            Text(10, normalise=normalise_postcode, validator=validate_postcode),
        ),
    ]


class ProviderSpec(Spec):
    model = Provider
    label = "Providers"
    columns = [
        Column("Name", "name", Text(200), required=True),
        Column("Trading name", "trading_name", Text(200)),
        Column(
            "Companies House number",
            "company_number",
            Text(12, normalise=normalise_company_number, validator=validate_company_number),
            help="8 characters; short legacy numbers are zero-padded",
        ),
        Column(
            "Charity number",
            "charity_number",
            Text(12, normalise=str.upper, validator=validate_charity_number),
        ),
        Column("Sector", "sector", Choice(Sector.choices), export=lambda p: label_of(p, "sector")),
        Column("SME", "is_sme", YesNo(blank=None), export=lambda p: yes_no(p.is_sme)),
        Column("VCSE", "is_vcse", YesNo(blank=None), export=lambda p: yes_no(p.is_vcse)),
        *address_columns(),
        Column("Main contact", "contact_name", Text(200)),
        Column("Contact email", "contact_email", Text(254, validator=validate_email)),
        Column("Contact phone", "contact_phone", Text(30)),
        Column(
            "Approval status",
            "approval_status",
            Choice(ApprovalStatus.choices),
            export=lambda p: p.get_approval_status_display(),
        ),
        Column(
            "Status changed on",
            importable=False,
            export=lambda p: dd_mm_yyyy(p.approval_status_changed_on),
        ),
        Column(
            "Approval review required",
            importable=False,
            export=lambda p: yes_no(p.approval_review_required),
        ),
    ]

    def row_key(self, row: ParsedRow):
        number = row.values.get("Companies House number")
        if number:
            return ("number", number)
        return ("name", normalise_provider_name(row.values.get("Name", "")))

    def key_description(self, key) -> str:
        kind, value = key
        return f"Companies House number {value}" if kind == "number" else "the provider name"

    def find_existing(self, rows, result, user) -> None:
        numbers = {r.values.get("Companies House number") for r in rows} - {None, ""}
        names = {normalise_provider_name(r.values.get("Name", "")) for r in rows}
        by_number = {
            p.company_number: p for p in Provider.objects.filter(company_number__in=numbers)
        }
        by_name: dict[str, list[Provider]] = {}
        for provider in Provider.objects.filter(normalised_name__in=names):
            by_name.setdefault(provider.normalised_name, []).append(provider)
        for row in rows:
            number = row.values.get("Companies House number")
            if number and number in by_number:
                row.obj = by_number[number]
                continue
            # A provider known by name only gains its number; one with
            # another number is a different organisation.
            candidates = [
                p
                for p in by_name.get(normalise_provider_name(row.values.get("Name", "")), [])
                if not number or not p.company_number
            ]
            if len(candidates) > 1:
                result.add_problem(
                    f"matches {len(candidates)} providers of that name: add the Companies "
                    "House number to tell them apart",
                    row=row.number,
                    column="Name",
                    value=row.values.get("Name"),
                )
                row.invalid = True
            elif candidates:
                row.obj = candidates[0]

    def new_object(self, row, user):
        return Provider(approval_status=ApprovalStatus.APPLICANT)

    def apply(self, obj, row):
        changed = super().apply(obj, row)
        obj.normalised_name = normalise_provider_name(obj.name)
        if "approval_status" in changed:
            obj.approval_status_changed_on = timezone.localdate()
            obj.approval_status_reason = "Imported from a spreadsheet"
        return changed

    def check_permission(self, obj, row, user, changed):
        if "approval_status" in changed and not has_perm(user, "registers.approve_provider"):
            return "changes the approval status, which only managers may do"
        return None

    def validate(self, obj, row, user):
        obj.clean()
        if obj.company_number and (
            Provider.objects.filter(company_number=obj.company_number).exclude(pk=obj.pk).exists()
        ):
            raise ValidationError({"company_number": "belongs to another provider already"})

    def after_write(self, *, created, updated, user, result):
        became_in_use = [
            p.pk for p in [*created, *updated] if p.approval_status in IN_USE_APPROVAL_STATUSES
        ]
        if became_in_use:
            from registers.services.ofsted import respond_to_settings

            ids = Setting.objects.filter(provider_id__in=became_in_use).values_list("pk", flat=True)
            result.process = respond_to_settings(setting_ids=ids, user=user)


class SettingSpec(Spec):
    model = Setting
    label = "Settings"
    columns = [
        Column("URN", "urn", urn_parser(), required=True),
        Column("Name", "name", Text(200)),
        Column(
            "Provider",
            "provider",
            Text(200),
            export=lambda s: s.provider.name if s.provider_id else "",
            help="provider name or Companies House number",
        ),
        Column("Provision type", "provision_type", Text(120), required=True),
        Column(
            "Registration status",
            "registration_status",
            Choice(RegistrationStatus.choices),
            export=lambda s: s.get_registration_status_display(),
        ),
        Column(
            "Registration date",
            "registration_date",
            DateValue(),
            export=lambda s: dd_mm_yyyy(s.registration_date),
        ),
        Column("Places", "places", Integer(0, 10_000)),
        Column(
            "Linked education URN",
            "linked_education_urn",
            Text(7, validator=validate_education_urn),
        ),
        *address_columns(),
        Column("Local authority", "local_authority", Text(100)),
        Column("Ofsted region", "ofsted_region", Text(60)),
        Column("Ofsted sector", "ofsted_sector", Text(40)),
        Column(
            "Short-breaks only",
            "is_short_breaks_only",
            YesNo(blank=False),
            export=lambda s: yes_no(s.is_short_breaks_only),
        ),
        Column(
            "Multi-building home",
            "is_multi_building",
            YesNo(blank=False),
            export=lambda s: yes_no(s.is_multi_building),
        ),
        Column(
            "Compliance notice served on",
            "compliance_notice_on",
            DateValue(),
            export=lambda s: dd_mm_yyyy(s.compliance_notice_on),
        ),
        Column(
            "Restriction on accommodation from",
            "accommodation_restriction_on",
            DateValue(),
            export=lambda s: dd_mm_yyyy(s.accommodation_restriction_on),
        ),
        Column(
            "Enhanced monitoring", importable=False, export=lambda s: yes_no(s.enhanced_monitoring)
        ),
    ]

    def row_key(self, row):
        return row.values.get("URN")

    def key_description(self, key) -> str:
        return f"URN {key}"

    def resolve(self, rows, result, user):
        resolve_column(
            rows,
            result,
            "Provider",
            provider_lookup,
            lambda ref: "is not a provider on the register: add the provider first",
        )

    def find_existing(self, rows, result, user):
        urns = {row.values["URN"] for row in rows}
        existing = {
            s.urn: s for s in Setting.objects.select_related("provider").filter(urn__in=urns)
        }
        for row in rows:
            row.obj = existing.get(row.values["URN"])

    def after_write(self, *, created, updated, user, result):
        from registers.services.ofsted import respond_to_settings

        result.process = respond_to_settings(
            setting_ids=[s.pk for s in [*created, *updated]], user=user
        )
