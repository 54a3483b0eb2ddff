"""Operations endpoints: liveness, readiness, metrics. No credential needed."""
from flask import Blueprint, current_app, jsonify, send_from_directory
from sqlalchemy import text
from swagger_ui_bundle import swagger_ui_path

from mentorship.common.redis_client import request_client
from mentorship.extensions import db
from mentorship.ops.metrics import metrics_response

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    checks = {"database": _check(lambda: db.session.execute(text("SELECT 1")))}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _check(_ping_redis)
    ready = all(v == "ok" for v in checks.values())
    return jsonify(status="ok" if ready else "unavailable", checks=checks), 200 if ready else 503


def _ping_redis():
    request_client(current_app.config["REDIS_URL"], current_app.config).ping()


def _check(probe):
    try:
        probe()
        return "ok"
    except Exception as exc:  # readiness reports the failure instead of raising it
        db.session.rollback()
        return f"error: {type(exc).__name__}"


@bp.get("/metrics")
def metrics():
    return metrics_response()


@bp.get("/docs/assets/<path:filename>")
def docs_assets(filename):
    """Swagger UI's files from the installed swagger-ui-bundle package: /docs works offline."""
    return send_from_directory(str(swagger_ui_path), filename, max_age=86400)
