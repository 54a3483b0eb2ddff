"""Headers on every page and asset: a Content-Security-Policy that allows no inline script, and who may frame us.

`frame-ancestors` is the tenant's policy key `frame_ancestors` (origins a career office embeds the forms in);
none listed: 'none', and X-Frame-Options DENY for browsers that predate frame-ancestors.
"""
from flask import g

from mentorship.tenancy.policy import for_tenant

BASE_POLICY = ("default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' https: data:",
               "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'")


def frame_ancestors():
    tenant_id = g.get("tenant_id")
    origins = for_tenant(tenant_id)["frame_ancestors"] if tenant_id is not None else []
    return " ".join(origins) or "'none'"


def add_headers(response):
    """after_request of the pages and assets."""
    ancestors = frame_ancestors()
    response.headers["Content-Security-Policy"] = "; ".join((*BASE_POLICY, f"frame-ancestors {ancestors}"))
    if ancestors == "'none'":
        response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # sign-in and join URLs carry their secret in the path: never hand it to another site as a Referer
    response.headers["Referrer-Policy"] = "no-referrer"
    if response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
    return response
