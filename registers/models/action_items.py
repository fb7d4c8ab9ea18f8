"""Action plans: what a provider must do after a QA visit, and by when."""

from datetime import date

from django.db import models
from django.db.models import BooleanField, Case, Q, Value, When
from simple_history.models import HistoricalRecords


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


def overdue_q(*, today: date, prefix: str = "") -> Q:
    """An action is overdue when its due date has passed and it is not done.

    ``prefix`` reaches the action items from another model ("action_items__").
    """
    return Q(**{f"{prefix}due_date__lt": today}) & ~Q(**{f"{prefix}status": ActionStatus.DONE})


class ActionItemQuerySet(models.QuerySet):
    def overdue(self, *, today: date):
        return self.filter(overdue_q(today=today))

    def with_overdue(self, *, today: date):
        """Annotate ``is_overdue`` from the same rule as ``overdue()``."""
        return self.annotate(
            is_overdue=Case(
                When(overdue_q(today=today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )


class ActionItem(models.Model):
    visit = models.ForeignKey(
        "registers.Visit", on_delete=models.CASCADE, related_name="action_items"
    )
    description = models.TextField("action")
    owner = models.CharField("owner at the provider", max_length=200)
    due_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    completed_on = models.DateField(null=True, blank=True)

    objects = ActionItemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            # The default sort (the admin adds id to make it total).
            models.Index(fields=["due_date", "id"]),
            models.Index(fields=["status", "due_date"]),
        ]
        permissions = [
            ("import_actionitem", "Can import action items"),
            ("export_actionitem", "Can export action items"),
        ]

    def __str__(self) -> str:
        return self.description[:60]
