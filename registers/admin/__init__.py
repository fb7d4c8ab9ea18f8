"""One admin module per register, registered on import."""

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
