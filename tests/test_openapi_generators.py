"""Acceptance 3: openapi-python-client and datamodel-code-generator turn the served /openapi.json into code without
an error or a warning, and the generated client walks docs/walkthrough.md to the blocked intro (with `coaching`)
and the refused referral request (with `missing`) against a served app.

The generators live in a venv of their own, so that their dependencies never touch the app's
(tests/generators_venv.py: outside the work tree, reused by every clone on the machine; `.ci/run` starts creating it
in the background before the suite runs).
Skipped only when pip cannot install them (no network). They read the document, not the database: they run once,
in the SQLite pass of `make test`."""
import os
import socket
import subprocess
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from mentorship import create_app
from mentorship.config import TestConfig
from mentorship.extensions import db
from mentorship.tenancy.operations import create_tenant
from mentorship.tenancy.scope import unscoped
from tests.generators_venv import BIN, ensure

# openapi-python-client generates no function for a text/csv body; the import endpoint takes the file as bytes
CLIENT_CONFIG = "content_type_overrides:\n  text/csv: application/octet-stream\n"

pytestmark = pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")),
                                reason="the generators read the document only: they run once, in the SQLite pass")


@pytest.fixture(autouse=True)
def _rolled_back():
    """Overrides the suite's shared rolled-back connection: the served app commits to its own file."""
    yield


def _install():
    problem = ensure()
    if problem:
        pytest.skip(problem)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The app served over HTTP on a SQLite file of its own, with a tenant: (base URL, admin key)."""
    from flask_migrate import upgrade

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    path = tmp_path_factory.mktemp("generators") / "site.db"

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"
        PUBLIC_URL = f"http://127.0.0.1:{port}"

    app = create_app(Config)
    with app.app_context():
        upgrade()
        with unscoped():
            _, secret = create_tenant("columbia", "Columbia Career Office")
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", secret
    server.shutdown()
    thread.join(10)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def generated(site, tmp_path_factory):
    """Both generators run on the served document: (output folder, {tool: its output})."""
    _install()
    out = tmp_path_factory.mktemp("generated")
    config = out / "client-config.yaml"
    config.write_text(CLIENT_CONFIG)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}  # the client's ruff post-hooks
    url = f"{site[0]}/openapi.json"
    runs = {
        "openapi-python-client": [str(BIN / "openapi-python-client"), "generate", "--url", url, "--meta", "none",
                                  "--config", str(config), "--output-path", str(out / "mentorship_api_client")],
        "datamodel-codegen": [str(BIN / "datamodel-codegen"), "--url", url, "--input-file-type", "openapi",
                              "--output-model-type", "pydantic_v2.BaseModel", "--formatters", "ruff-format",
                              "--allow-private-network", "--output", str(out / "models.py")],
    }
    outputs = {}
    for tool, command in runs.items():
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=out, env=env)
        outputs[tool] = done.stdout + done.stderr
        assert done.returncode == 0, f"{tool} failed:\n{outputs[tool]}"
    return out, outputs


def test_openapi_python_client_generates_without_warnings(generated):
    out, outputs = generated
    assert "Warning" not in outputs["openapi-python-client"], outputs["openapi-python-client"]
    assert (out / "mentorship_api_client" / "api" / "intros" / "intros_post.py").exists()


def test_datamodel_codegen_generates_importable_models(generated):
    out, outputs = generated
    assert "Warning" not in outputs["datamodel-codegen"], outputs["datamodel-codegen"]
    done = subprocess.run([str(BIN / "python"), "-c", "import models; models.Problem(code='x', coaching={'ok': 0})"],
                          capture_output=True, text=True, cwd=out, timeout=120)
    assert done.returncode == 0, done.stderr


def test_the_generated_client_walks_to_the_blocked_intro_and_the_unearned_referral(generated, site):
    out, _ = generated
    script = Path(__file__).with_name("generated_client_walkthrough.py")
    done = subprocess.run([str(BIN / "python"), str(script), *site], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(out)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "blocked: [" in done.stdout and "missing: [" in done.stdout, done.stdout
