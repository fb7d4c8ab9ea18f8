"""Letters each council words for itself: plain text with named placeholders
(registers/letters.py), never a template evaluated from the database."""

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from registers.letters import PLACEHOLDERS, placeholder_problems
from registers.models.authorities import authority_field


class LetterKind(models.TextChoices):
    CONCERN_STAGE_3 = "concern_stage_3", "Concern: stage 3 escalation letter"


def placeholder_help() -> str:
    return "Placeholders: " + ", ".join(
        f"{{{name}}} ({what})" for name, what in PLACEHOLDERS.items()
    )


class LetterTemplate(models.Model):
    authority = authority_field()
    kind = models.CharField(max_length=30, choices=LetterKind.choices)
    title = models.CharField(max_length=200, help_text="The letter's heading.")
    body = models.TextField(
        help_text="Plain text; a blank line starts a new paragraph. " + placeholder_help()
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "kind"],
                name="one_letter_template_per_kind",
                violation_error_message="The council already has a template for this letter.",
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    def clean(self) -> None:
        errors = {
            name: problems
            for name in ("title", "body")
            if (problems := placeholder_problems(getattr(self, name)))
        }
        if errors:
            raise ValidationError(errors)
