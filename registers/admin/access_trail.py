"""Guardian's per-record permission forms, with every grant and revocation handed
to the access trail (registers.services.security), with the reason the manager gives."""

from django import forms
from unfold.widgets import UnfoldAdminTextareaWidget

from registers.services.security import object_permissions_record

REASON_HELP = "Why this access is changing: recorded in the access trail with your name."


def recorded_form(form_class, *, actor, for_group: bool):
    class RecordedPermissionsForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["reason"] = forms.CharField(
                label="Reason",
                help_text=REASON_HELP,
                max_length=1000,
                widget=UnfoldAdminTextareaWidget(attrs={"rows": 2}),
                error_messages={"required": "Say why this access is changing."},
            )

        def save_obj_perms(self) -> None:
            before = set(self.get_obj_perms_field_initial())
            super().save_obj_perms()
            after = set(self.cleaned_data[self.get_obj_perms_field_name()])
            subject = {"group": self.group} if for_group else {"user": self.user}
            object_permissions_record(
                actor=actor,
                obj=self.obj,
                added=after - before,
                removed=before - after,
                reason=self.cleaned_data["reason"].strip(),
                **subject,
            )

    return RecordedPermissionsForm
