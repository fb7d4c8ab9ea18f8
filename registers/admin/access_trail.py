"""Guardian's per-record permission forms, with every grant and revocation handed
to the access trail (registers.services.security)."""

from registers.services.security import object_permissions_record


def recorded_form(form_class, *, actor, for_group: bool):
    class RecordedPermissionsForm(form_class):
        def save_obj_perms(self) -> None:
            before = set(self.get_obj_perms_field_initial())
            super().save_obj_perms()
            after = set(self.cleaned_data[self.get_obj_perms_field_name()])
            subject = {"group": self.group} if for_group else {"user": self.user}
            object_permissions_record(
                actor=actor, obj=self.obj, added=after - before, removed=before - after, **subject
            )

    return RecordedPermissionsForm
