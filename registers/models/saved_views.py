"""Saved views: a list's filters, search and ordering kept under a name.

A view names its list by model (``registers.contract``), never by a URL, and
keeps only the query string: it always opens that model's changelist.
"""

from django.conf import settings
from django.db import models


class SavedView(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=80)
    model = models.CharField(
        max_length=100, help_text="The list's model, as app_label.model_name (registers.contract)."
    )
    query = models.CharField(
        max_length=2000, blank=True, help_text="The list's filters, search and ordering."
    )
    pinned = models.BooleanField(default=False, help_text="Shown in the owner's sidebar.")
    shared_with = models.ForeignKey(
        "auth.Group",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="saved_views",
        help_text="A role whose members see this view in their sidebar (read only).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        default_permissions = ()
        permissions = [("share_savedview", "Can share a saved view with a role")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                name="saved_view_name_unique_per_user",
                violation_error_message="You already have a view with this name.",
            )
        ]

    def __str__(self) -> str:
        return self.name
