"""Object-level permissions that follow a record's responsible user.

The lead officer of a visit may change it (and, through the parent backend,
its action items); the manager of a contract may change it. When the
responsible user changes, the old one loses the permission and the new one
gains it, in the same transaction as the change itself. Only the visit and
contract services call this.
"""

from collections.abc import Sequence

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q

from registers.models import (
    Contract,
    ContractUserObjectPermission,
    Referral,
    ReferralUserObjectPermission,
    Visit,
    VisitUserObjectPermission,
)

GRANT_TABLES = {
    Visit: VisitUserObjectPermission,
    Contract: ContractUserObjectPermission,
    Referral: ReferralUserObjectPermission,
}
CHUNK = 500

# (record, user id before, user id after)
Move = tuple[Model, int | None, int | None]


def move_change_permission(*, model: type[Model], moves: Sequence[Move]) -> None:
    """Give each record's new responsible user change permission on it, and
    take it from the previous one. A few queries, however many moves."""
    moves = [(obj, old, new) for obj, old, new in moves if old != new]
    if not moves:
        return
    table = GRANT_TABLES[model]
    permission = Permission.objects.get(
        content_type=ContentType.objects.get_for_model(model),
        codename=f"change_{model._meta.model_name}",
    )
    removals = [(obj.pk, old) for obj, old, _ in moves if old is not None]
    for start in range(0, len(removals), CHUNK):
        condition = Q()
        for object_id, user_id in removals[start : start + CHUNK]:
            condition |= Q(content_object_id=object_id, user_id=user_id)
        table.objects.filter(condition, permission=permission).delete()
    table.objects.bulk_create(
        [
            table(content_object_id=obj.pk, user_id=new, permission=permission)
            for obj, _, new in moves
            if new is not None
        ],
        ignore_conflicts=True,
        batch_size=CHUNK,
    )
