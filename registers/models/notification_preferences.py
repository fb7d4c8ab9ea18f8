"""Reminders users choose: the kinds each user wants in their daily digest, and
each role's defaults in each council, set by its managers."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from registers.models.authorities import authority_field
from registers.roles import ROLES


class ReminderKind(models.TextChoices):
    CONTRACT_DECISIONS = "contract_decisions", "My contracts: recommissioning decisions due"
    CONTRACT_ENDS = "contract_ends", "My contracts: ending soon"
    CONTRACT_REVIEWS = "contract_reviews", "My contracts: quarterly review missing"
    MY_VISITS = "my_visits", "My visits: due this week or overdue"
    OVERDUE_ACTIONS = "overdue_actions", "My visits: overdue actions"
    DOCUMENTS_EXPIRING = "documents_expiring", "Compliance documents expiring"
    RI_INADEQUATE = "ri_inadequate", "Settings judged Requires improvement or Inadequate"
    CONCERN_STAGES = "concern_stages", "Concern stages past their limit"


def kinds_field() -> models.JSONField:
    return models.JSONField(
        default=list, blank=True, help_text="The reminder kinds chosen (ReminderKind values)."
    )


class NotificationPreference(models.Model):
    """One user's choice of reminder kinds; without one, their role's defaults apply."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    kinds = kinds_field()
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Reminders of {self.user}"


class RoleReminderDefault(models.Model):
    """The reminder kinds a role gets in a council until a user chooses their own."""

    authority = authority_field()
    role = models.CharField(max_length=50, choices=[(role, role) for role in ROLES])
    kinds = kinds_field()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["authority", "role"], name="one_default_per_role")
        ]

    def __str__(self) -> str:
        return f"Default reminders of {self.role}"
