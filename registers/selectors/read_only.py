"""Why a record's page is read-only for this user, in words the user can act on."""

from django.db.models import Model

from registers.ownership import PARENTS
from registers.permissions import User, cached_grants

# The field naming who is responsible for a record, and so who may change it.
RESPONSIBLE = {"visit": "lead_officer", "contract": "contract_manager"}


def read_only_reason(*, user: User, obj: Model) -> str:
    """The reason, for a user who may see ``obj`` but not change it."""
    opts = obj._meta
    parent_field = PARENTS.get(opts.model_name)
    governing = getattr(obj, parent_field, None) if parent_field else None
    governing = governing or obj
    codename = f"change_{governing._meta.model_name}"
    if not cached_grants(user).any_of([codename]):
        roles = sorted(user.groups.values_list("name", flat=True))
        who = f"your role ({', '.join(roles)})" if roles else "your account"
        return f"Read only: {who} can view {opts.verbose_name_plural} but not change them."
    # The user changes some of these records (their own), not this one.
    field_name = RESPONSIBLE.get(governing._meta.model_name)
    person = getattr(governing, field_name, None) if field_name else None
    this = (
        f"this {opts.verbose_name}"
        if governing is obj
        else f"the {opts.verbose_name_plural} of this {governing._meta.verbose_name}"
    )
    if person is None:
        return (
            f"Read only: you can change only the {governing._meta.verbose_name_plural} "
            f"you have been given, and not {this}."
        )
    label = governing._meta.get_field(field_name).verbose_name
    name = person.get_full_name() or person.get_username()
    return f"Read only: only the {label}, {name}, can change {this}."
