"""The Ofsted rating tracker: inspection events of each setting."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


class InspectionType(models.TextChoices):
    FULL = "full", "Full"
    INTERIM = "interim", "Interim"
    MONITORING = "monitoring", "Monitoring"
    ASSURANCE = "assurance", "Assurance"


class Judgement(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement to be good"
    INADEQUATE = "inadequate", "Inadequate"
    ADEQUATE = "adequate", "Adequate"
    SATISFACTORY = "satisfactory", "Satisfactory"
    NOT_JUDGED = "not_judged", "Not judged"
    IMPROVED = "improved", "Improved effectiveness"
    SUSTAINED = "sustained", "Sustained effectiveness"
    DECLINED = "declined", "Declined in effectiveness"


FULL_SCALE = (
    Judgement.OUTSTANDING,
    Judgement.GOOD,
    Judgement.REQUIRES_IMPROVEMENT,
    Judgement.INADEQUATE,
    Judgement.ADEQUATE,
    Judgement.SATISFACTORY,
    Judgement.NOT_JUDGED,
)
INTERIM_SCALE = (Judgement.IMPROVED, Judgement.SUSTAINED, Judgement.DECLINED)
FULL_SCALE_CHOICES = [(j.value, j.label) for j in FULL_SCALE]

# Lower is better. Historic Adequate and Satisfactory sit with Requires improvement,
# the grade that replaced them.
JUDGEMENT_RANK = {
    Judgement.OUTSTANDING: 1,
    Judgement.GOOD: 2,
    Judgement.REQUIRES_IMPROVEMENT: 3,
    Judgement.ADEQUATE: 3,
    Judgement.SATISFACTORY: 3,
    Judgement.INADEQUATE: 4,
}
# A current rating in CONCERNING puts a setting in use under enhanced
# monitoring (manual 003); one in LIFTING lifts it.
CONCERNING_JUDGEMENTS = (Judgement.REQUIRES_IMPROVEMENT, Judgement.INADEQUATE)
LIFTING_JUDGEMENTS = (Judgement.GOOD, Judgement.OUTSTANDING)


def judgement_field(verbose_name: str) -> models.CharField:
    return models.CharField(verbose_name, max_length=30, choices=FULL_SCALE_CHOICES, blank=True)


class Inspection(models.Model):
    setting = models.ForeignKey(
        "registers.Setting", on_delete=models.CASCADE, related_name="inspections"
    )
    event_number = models.CharField(
        max_length=20,
        blank=True,
        help_text="Ofsted's event number (inspection ID). One event can cover several "
        "branches of an agency, so it is unique per setting.",
    )
    inspection_type = models.CharField(
        "type", max_length=20, choices=InspectionType.choices, default=InspectionType.FULL
    )
    inspection_date = models.DateField()
    publication_date = models.DateField("report published on", null=True, blank=True)
    overall = models.CharField(
        "overall judgement", max_length=30, choices=Judgement.choices, blank=True
    )
    outcomes_children = judgement_field("outcomes for children and young people")
    quality_of_care = judgement_field("quality of care")
    outcomes_education = judgement_field("outcomes in education and related learning")
    health_services = judgement_field("health services")
    help_and_protection = judgement_field(
        "how well children and young people are helped and protected"
    )
    leadership_management = judgement_field("effectiveness of leaders and managers")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-inspection_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["setting", "event_number"],
                condition=~Q(event_number=""),
                name="inspection_event_unique_per_setting",
                violation_error_message="This setting already has an inspection with this "
                "event number.",
            ),
        ]
        indexes = [
            models.Index(
                fields=["setting", "inspection_type", "-inspection_date"],
                name="inspection_latest_idx",
            ),
            models.Index(fields=["inspection_date", "id"]),
            models.Index(fields=["overall"]),
        ]
        permissions = [
            ("import_inspection", "Can import inspections"),
            ("export_inspection", "Can export inspections"),
        ]

    def __str__(self) -> str:
        label = self.get_overall_display() or "no judgement"
        kind = self.get_inspection_type_display()
        return f"{kind} inspection {self.inspection_date:%d/%m/%Y}: {label}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        today = timezone.localdate()
        if self.inspection_date and self.inspection_date > today:
            errors["inspection_date"] = "An inspection date cannot be in the future."
        if (
            self.publication_date
            and self.inspection_date
            and self.publication_date < self.inspection_date
        ):
            errors["publication_date"] = "The report cannot be published before the inspection."
        overall = self.overall or ""
        if self.inspection_type == InspectionType.FULL:
            if not overall:
                errors["overall"] = "A full inspection needs an overall judgement."
            elif overall not in FULL_SCALE:
                errors["overall"] = (
                    "A full inspection is judged Outstanding, Good, Requires improvement to "
                    "be good, Inadequate (or the historic Adequate or Satisfactory)."
                )
        elif (
            self.inspection_type == InspectionType.INTERIM
            and overall
            and overall not in INTERIM_SCALE
        ):
            errors["overall"] = (
                "An interim inspection is judged Improved, Sustained or Declined effectiveness."
            )
        # A judgement on a monitoring or assurance visit is refused by the inspections
        # service, which lets Ofsted's own published files through with a warning.
        if errors:
            raise ValidationError(errors)
