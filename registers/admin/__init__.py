"""One admin module per register, registered on import."""

from django.contrib import admin

from registers.admin import (  # noqa: F401
    action_items,
    authorities,
    compliance,
    concerns,
    contracts,
    frameworks,
    import_runs,
    inspections,
    providers,
    security,
    settings,
    spot_funds,
    users,
    visits,
)

admin.site.site_header = "Commissioning Portal"
admin.site.site_title = "Commissioning Portal"
admin.site.index_title = "Dashboard"
