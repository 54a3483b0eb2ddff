"""Per-request tenant resolution: the credential decides the tenant, once, onto g."""
from flask import g, request

from mentorship.tenancy.credentials import principal_from_header


def authenticate():
    """before_request: every /api/ call needs a credential; its tenant scopes every query after this."""
    if not request.path.startswith("/api/"):
        return
    principal = principal_from_header(request.headers.get("Authorization"))
    g.principal = principal
    g.tenant_id = principal.tenant_id
