"""The council's own wording of its letters (the stage 3 concern letter)."""

from django.contrib import admin
from django.utils import timezone
from unfold.decorators import display

from registers.admin.base import RegisterAdmin
from registers.letters import PLACEHOLDERS
from registers.models import LetterTemplate
from registers.services.letter_templates import (
    DEFAULTS,
    letter_templates_check,
    letter_templates_write,
)


@admin.register(LetterTemplate)
class LetterTemplateAdmin(RegisterAdmin):
    service_check = letter_templates_check
    service_write = letter_templates_write
    list_display = ["kind", "title", "updated"]
    ordering = ["kind"]
    search_fields = ["title", "body"]
    readonly_fields = ["placeholders", "default_wording"]
    fields = ["kind", "title", "body", "placeholders", "default_wording"]

    def get_changeform_initial_data(self, request):
        # A new template starts from the default wording of the first kind.
        kind, wording = next(iter(DEFAULTS.items()))
        return {"kind": kind, "title": wording.title, "body": wording.body}

    @display(description="Placeholders you may use")
    def placeholders(self, obj):
        return "; ".join(f"{{{name}}}: {what}" for name, what in PLACEHOLDERS.items())

    @display(description="Default wording (used while the council has none)")
    def default_wording(self, obj):
        wording = DEFAULTS.get(obj.kind) if obj and obj.kind else next(iter(DEFAULTS.values()))
        return wording.body if wording else "-"

    @display(description="Last changed", ordering="updated_at")
    def updated(self, obj):
        return timezone.localtime(obj.updated_at).strftime("%d/%m/%Y %H:%M")
