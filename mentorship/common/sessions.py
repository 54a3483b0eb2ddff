"""Cookie sessions only where people use pages; API calls carry a bearer credential and never a cookie."""
from flask import request
from flask.sessions import SecureCookieSessionInterface


class ApiAwareSessionInterface(SecureCookieSessionInterface):
    def open_session(self, app, request):
        if request.path.startswith("/api/"):
            return self.make_null_session(app)
        return super().open_session(app, request)

    def get_cookie_secure(self, app):
        """Secure when configured so, and whenever this request came over https."""
        return super().get_cookie_secure(app) or request.is_secure
