"""Acceptance 3: openapi-python-client and datamodel-code-generator turn the served /openapi.json into code without
an error or a warning, and the generated client walks docs/walkthrough.md to the blocked intro (with `coaching`)
and the refused referral request (with `missing`) against a served app.

The generators live in a venv of their own, so that their dependencies never touch the app's, kept outside the work
tree (`~/.cache/mentorship/gen-venv-py3.X`; override with GEN_VENV) so that every clone on the machine, CI's fresh
one too, reuses it: the first run creates it (90-110 s, mostly pip resolving), later runs take ~15 s.
Skipped only when pip cannot install them (no network). They read the document, not the database: they run once,
in the SQLite pass of `make test`."""
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from mentorship import create_app
from mentorship.config import TestConfig
from mentorship.extensions import db
from mentorship.tenancy.operations import create_tenant
from mentorship.tenancy.scope import unscoped

CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mentorship"
VENV = Path(os.environ.get("GEN_VENV") or CACHE / f"gen-venv-py{sys.version_info.major}.{sys.version_info.minor}")
BIN = VENV / "bin"
# email-validator: the generated pydantic models type e-mail addresses as EmailStr
GENERATORS = ("openapi-python-client", "datamodel-code-generator", "email-validator")
INSTALLED = VENV / ".installed"  # what the venv holds: a change to GENERATORS installs again
# openapi-python-client generates no function for a text/csv body; the import endpoint takes the file as bytes
CLIENT_CONFIG = "content_type_overrides:\n  text/csv: application/octet-stream\n"

pytestmark = pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")),
                                reason="the generators read the document only: they run once, in the SQLite pass")


@pytest.fixture(autouse=True)
def _rolled_back():
    """Overrides the suite's shared rolled-back connection: the served app commits to its own file."""
    yield


def _install():
    if INSTALLED.exists() and INSTALLED.read_text() == " ".join(GENERATORS):
        return
    VENV.parent.mkdir(parents=True, exist_ok=True)
    steps = ([sys.executable, "-m", "venv", str(VENV)],
             [str(BIN / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", *GENERATORS])
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, timeout=900)
        if done.returncode:
            lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
            pytest.skip(f"cannot install {' and '.join(GENERATORS)} ({' '.join(step[-3:])}): "
                        f"{lines[-1] if lines else 'no output'}")
    INSTALLED.write_text(" ".join(GENERATORS))


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
