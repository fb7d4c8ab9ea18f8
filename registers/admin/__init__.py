"""One admin module per register, registered on import."""

from django.contrib import admin  # noqa: E402

from registers.admin import (  # noqa: F401
    concerns,
    contracts,
    frameworks,
    ofsted,
    providers,
    spot_funds,
    users,
    visits,
)

admin.site.site_header = "Commissioning Portal"
admin.site.site_title = "Commissioning Portal"
admin.site.index_title = "Dashboard"
