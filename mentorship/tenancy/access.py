"""What a credential may do: the one rule every authorization check goes through, and the endpoint declarations
that are checked before a body or query string is read (SPEC §1).

The rule: a check is a predicate over a principal, and a credential passes it only if each of its facets does
(`Principal.facets`). A member token minted with a partner key has two facets, the member and the partner key,
so it can do only what both may; every other credential is its own single facet.
"""
from flask import current_app, g, request

from mentorship.common.queries import handler
from mentorship.errors import Forbidden
from mentorship.tenancy.credentials import current_principal

KINDS = ("admin", "partner", "member")
NAMES = {"admin": "An admin key", "partner": "A partner key", "member": "A member token"}
SELF = "self"  # a member token, for the member that the path's `member_id` names


def _refusing_facet(check, principal):
    return next((facet for facet in principal.facets() if not check(facet)), None)


def allowed(check, principal=None):
    """Whether `check(facet)` holds for every facet of the credential (by default the request's)."""
    return _refusing_facet(check, principal or current_principal()) is None


def ensure(check, message):
    """403 unless allowed(check), with `message` when the credential itself fails the check; returns the principal."""
    principal = current_principal()
    refused = _refusing_facet(check, principal)
    if refused is None:
        return principal
    if refused is not principal:
        message = (f"This member token was minted with a {refused.kind} key and holds no more than that key, which "
                   "cannot do this.")
    raise Forbidden(message)


def allow(*kinds):
    """Declare which credentials may call an endpoint: kinds (admin, partner, member) and SELF. `authorize`
    checks the declaration before the body or the query is read; an endpoint without one admits nobody.
    Place it right under `@blp.route` (on a MethodView, on each method)."""
    unknown = set(kinds) - {*KINDS, SELF}
    if unknown or not kinds:
        raise ValueError(f"allow() takes some of {[*KINDS, SELF]}, not {sorted(unknown)}")

    def declare(view):
        view.allowed_kinds = frozenset(kinds)
        return view
    return declare


def endpoint_kinds(view, method):
    """The kinds a view function (or a MethodView's method) declared with `allow`; none when it declared none."""
    return getattr(handler(view, method), "allowed_kinds", frozenset())


def may_call(facet, kinds, view_args):
    """Whether one facet of a credential is admitted by an endpoint's declared kinds."""
    if facet.kind in kinds:
        return True
    return SELF in kinds and facet.is_member and facet.member_id == view_args.get("member_id")


def authorize():
    """before_request, after authentication and the rate limit and before the body is checked or parsed: 403
    unless the endpoint admits the credential, whatever the request carries."""
    if g.get("principal") is None or request.url_rule is None or request.method == "OPTIONS":
        return  # not the API, or no such route: 401/404/405 answer elsewhere
    kinds = endpoint_kinds(current_app.view_functions[request.endpoint], request.method)
    view_args = request.view_args or {}
    principal = current_principal()
    if SELF in kinds and principal.is_member and principal.kind not in kinds:
        message = "A member token acts only for its own member."
    else:
        message = f"{NAMES[principal.kind]} cannot do this."
    ensure(lambda facet: may_call(facet, kinds, view_args), message)
