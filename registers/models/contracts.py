"""The contracts register: contracts, variations, quarterly reviews and documents."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from registers.models.authorities import authority_field
from registers.models.common import Rag, money_field, non_negative
from registers.storage import protected_storage
from registers.validators import validate_cpv


class ProcurementRoute(models.TextChoices):
    OPEN_TENDER = "open_tender", "Open tender"
    FRAMEWORK_CALL_OFF = "framework_call_off", "Framework call-off"
    DPS_CALL_OFF = "dps_call_off", "DPS call-off"
    FPS_CALL_OFF = "fps_call_off", "FPS call-off"
    SPOT_PURCHASE = "spot_purchase", "Spot purchase"
    BLOCK_CONTRACT = "block_contract", "Block contract"
    GRANT = "grant", "Grant"
    INDIVIDUAL_PLACEMENT = "individual_placement", "Individual placement agreement"
    DIRECT_AWARD = "direct_award", "Direct award with waiver"


CALL_OFF_ROUTES = {
    ProcurementRoute.FRAMEWORK_CALL_OFF: "framework",
    ProcurementRoute.DPS_CALL_OFF: "dps",
    ProcurementRoute.FPS_CALL_OFF: "fps",
}


class TenderType(models.TextChoices):
    PUBLISHED_TENDER = "published_tender", "Published tender"
    INVITATION_TO_QUOTE = "invitation_to_quote", "Invitation to quote"
    NEITHER = "neither", "Neither (direct award or call-off)"


class AuthoriserRole(models.TextChoices):
    HEAD_OF_SERVICE = "head_of_service", "Head of Service"
    DIRECTOR = "director", "Director"


class ContractStatus(models.TextChoices):
    """Derived from the dates (see ContractQuerySet.with_status), never typed."""

    AWAITING_AUTHORISATION = "awaiting_authorisation", "Awaiting authorisation"
    NOT_STARTED = "not_started", "Not started"
    ACTIVE = "active", "Active"
    EXTENDED = "extended", "Extended"
    EXPIRING = "expiring", "Expiring"
    EXPIRED = "expired", "Expired"
    TERMINATED = "terminated", "Terminated"


class Contract(models.Model):
    authority = authority_field()
    reference = models.CharField(max_length=50, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    provider = models.ForeignKey(
        "registers.Provider", on_delete=models.PROTECT, related_name="contracts"
    )
    setting = models.ForeignKey(
        "registers.Setting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        help_text="The setting the contract buys from, where there is one.",
    )
    department = models.CharField(max_length=100, blank=True)
    cost_centre = models.CharField(max_length=20, blank=True)
    service_category = models.CharField(max_length=100, blank=True)
    cpv_code = models.CharField("CPV code", max_length=10, blank=True, validators=[validate_cpv])
    procurement_route = models.CharField(max_length=30, choices=ProcurementRoute.choices)
    tender_type = models.CharField(
        "published tender or invitation to quote",
        max_length=30,
        choices=TenderType.choices,
        blank=True,
    )
    lot = models.ForeignKey(
        "registers.Lot",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        help_text="Required for a call-off: the provider must be admitted to it.",
    )
    contract_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_contracts",
    )
    start_date = models.DateField()
    end_date = models.DateField()
    review_date = models.DateField(null=True, blank=True)
    notice_period_months = models.PositiveSmallIntegerField(
        default=3, validators=[MaxValueValidator(24)]
    )
    extension_options = models.PositiveSmallIntegerField(
        "extension options", default=0, help_text="How many extensions the contract allows."
    )
    extension_months = models.PositiveSmallIntegerField(
        "length of each extension (months)", default=0
    )
    extensions_used = models.PositiveSmallIntegerField(default=0, editable=False)
    recommissioning_lead_months = models.PositiveSmallIntegerField(
        "recommissioning lead time (months)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(60)],
        help_text="Empty: the council default (9 months).",
    )
    annual_value = money_field("annual value (£)")
    total_value = money_field("total value (£)")
    vat_not_recoverable = money_field("VAT that cannot be recovered (£)")
    is_key_contract = models.BooleanField("key contract (high risk)", default=False)
    terminated_on = models.DateField(null=True, blank=True)
    termination_reason = models.TextField(blank=True)
    spot_justification = models.TextField(
        "why the framework could not meet the need",
        blank=True,
        help_text="Spot purchases only: the written justification.",
    )
    spot_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    spot_authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    spot_authoriser_role = models.CharField(
        max_length=20, choices=AuthoriserRole.choices, blank=True, editable=False
    )
    spot_authorised_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["end_date", "reference"]
        constraints = [
            non_negative("annual_value", "contract"),
            non_negative("total_value", "contract"),
            non_negative("vat_not_recoverable", "contract"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="contract_end_not_before_start",
                violation_error_message="The end date cannot be before the start date.",
            ),
        ]
        indexes = [
            models.Index(fields=["end_date", "reference"]),
            models.Index(fields=["start_date"]),
            models.Index(fields=["procurement_route"]),
            models.Index(fields=["contract_manager", "end_date"]),
            models.Index(fields=["provider", "end_date"]),
        ]
        permissions = [
            ("authorise_spot_purchase", "Can authorise spot purchases (Head of Service/Director)"),
            ("import_contract", "Can import contracts"),
            ("export_contract", "Can export contracts"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def clean(self) -> None:
        """Rules on the contract's own fields; rules that read other records
        (lots, admissions, settings) are the contracts service's."""
        errors: dict[str, str] = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date cannot be before the start date."
        if self.review_date and self.start_date and self.review_date < self.start_date:
            errors["review_date"] = "The review date cannot be before the start date."
        if self.terminated_on:
            if not (self.termination_reason or "").strip():
                errors["termination_reason"] = "Give the reason the contract was terminated."
            if self.start_date and self.terminated_on < self.start_date:
                errors["terminated_on"] = "A contract cannot end before it starts."
        if self.extension_options and not self.extension_months:
            errors["extension_months"] = "Give the length of each extension option."
        if self.lot_id and self.procurement_route not in CALL_OFF_ROUTES:
            errors["lot"] = "Only a framework, DPS or FPS call-off names a lot."
        if errors:
            raise ValidationError(errors)

    @property
    def lead_months(self) -> int:
        if self.recommissioning_lead_months is not None:
            return self.recommissioning_lead_months
        return settings.RECOMMISSIONING_LEAD_MONTHS

    @property
    def is_spot_purchase(self) -> bool:
        return self.procurement_route == ProcurementRoute.SPOT_PURCHASE


class VariationKind(models.TextChoices):
    UPLIFT = "uplift", "Price uplift (percentage)"
    NEW_RATE = "new_rate", "New annual rate"


class ContractVariation(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="variations")
    kind = models.CharField(max_length=20, choices=VariationKind.choices)
    effective_date = models.DateField()
    percentage = models.DecimalField(
        "uplift (%)",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(-100), MaxValueValidator(100)],
    )
    new_annual_value = money_field("new annual value (£)")
    reason = models.TextField()
    approved_by = models.CharField(max_length=200)
    previous_annual_value = money_field("annual value before (£)", editable=False)
    resulting_annual_value = money_field("annual value after (£)", editable=False)
    applied_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-effective_date", "-id"]
        indexes = [models.Index(fields=["applied_on", "effective_date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.effective_date:%d/%m/%Y}"

    def clean(self) -> None:
        if self.kind == VariationKind.UPLIFT and self.percentage is None:
            raise ValidationError({"percentage": "An uplift needs a percentage."})
        if self.kind == VariationKind.NEW_RATE and self.new_annual_value is None:
            raise ValidationError({"new_annual_value": "A new rate needs the new annual value."})


class KpiOutcome(models.TextChoices):
    MET = "met", "All met"
    PARTLY_MET = "partly_met", "Partly met"
    NOT_MET = "not_met", "Not met"


class ContractReview(models.Model):
    """The quarterly monitoring of a contract (manual 003)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="reviews")
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(2000)])
    quarter = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text="Calendar quarter: 1 is January to March.",
    )
    rag = models.CharField("RAG", max_length=5, choices=Rag.choices)
    kpis = models.CharField("KPIs", max_length=20, choices=KpiOutcome.choices)
    notes = models.TextField(blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    reviewed_on = models.DateField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "year", "quarter"],
                name="one_review_per_contract_quarter",
                violation_error_message="This contract already has a review for that quarter.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} Q{self.quarter}"


class DocumentKind(models.TextChoices):
    CONTRACT = "contract", "Signed contract"
    VARIATION = "variation", "Variation"
    SIGNED_IPA = "signed_ipa", "Signed individual placement agreement"
    OTHER = "other", "Other"


DOCUMENT_EXTENSIONS = ["pdf", "doc", "docx", "odt", "xlsx", "ods", "png", "jpg", "jpeg"]


class ContractDocument(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    title = models.CharField(max_length=200)
    file = models.FileField(
        upload_to="contracts/%Y/%m/",
        storage=protected_storage,
        validators=[FileExtensionValidator(DOCUMENT_EXTENSIONS)],
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title
