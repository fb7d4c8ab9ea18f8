"""One admin module per register, registered on import."""

from django.contrib import admin
from django_tasks_db.models import DBTaskResult

from registers.admin import (  # noqa: F401
    action_items,
    authorities,
    compliance,
    concerns,
    contracts,
    enforcements,
    export_jobs,
    frameworks,
    import_jobs,
    import_runs,
    inspections,
    letter_templates,
    notification_preferences,
    placement_checks,
    providers,
    referrals,
    security,
    settings,
    spot_funds,
    users,
    visits,
)

admin.site.site_header = "Commissioning Portal"
admin.site.site_title = "Commissioning Portal"
admin.site.index_title = "Dashboard"

# django-tasks-db's own list of queued tasks: the portal shows its imports' progress on
# their pages, and operators read the worker's log.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
