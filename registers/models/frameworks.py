"""Framework agreements, DPS and flexible purchasing systems, with their lots."""

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords


class FrameworkKind(models.TextChoices):
    FRAMEWORK = "framework", "Framework agreement"
    DPS = "dps", "Dynamic purchasing system"
    FPS = "fps", "Flexible purchasing system"


class Framework(models.Model):
    name = models.CharField(max_length=200)
    reference = models.CharField(max_length=50, unique=True)
    kind = models.CharField(max_length=20, choices=FrameworkKind.choices)
    description = models.TextField(blank=True)
    lead_authority = models.CharField(
        max_length=200, blank=True, help_text="The council that let it, if not this one."
    )
    start_date = models.DateField()
    end_date = models.DateField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["end_date"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.reference})"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date cannot be before the start date."})


class Lot(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    providers = models.ManyToManyField(
        "registers.Provider",
        blank=True,
        related_name="lots",
        verbose_name="admitted providers",
    )

    history = HistoricalRecords(m2m_fields=[providers])

    class Meta:
        ordering = ["framework__name", "number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="lot_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.framework.name}, lot {self.number}: {self.name}"
