"""The code generators' own venv (tests/test_openapi_generators.py), outside the work tree so that every clone on the
machine reuses it: `~/.cache/mentorship/gen-venv-py3.X` (GEN_VENV overrides). Standard library only, so `.ci/run`
can start it with the system Python in the background while it installs Chromium and lints
(`python3 -m tests.generators_venv`): creating it takes 90-150 s of pip, mostly waiting on the network. A file lock
makes the test wait for a warm-up in progress instead of installing the same packages beside it."""
import fcntl
import os
import subprocess
import sys
from pathlib import Path

CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mentorship"
VENV = Path(os.environ.get("GEN_VENV") or CACHE / f"gen-venv-py{sys.version_info.major}.{sys.version_info.minor}")
BIN = VENV / "bin"
# email-validator: the generated pydantic models type e-mail addresses as EmailStr
GENERATORS = ("openapi-python-client", "datamodel-code-generator", "email-validator")
INSTALLED = VENV / ".installed"  # what the venv holds: a change to GENERATORS installs again


def ensure():
    """Create or complete the venv; None when it is ready, else why it could not be (pip's last line)."""
    VENV.parent.mkdir(parents=True, exist_ok=True)
    with open(VENV.parent / f"{VENV.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a warm-up running: wait for it
        if INSTALLED.exists() and INSTALLED.read_text() == " ".join(GENERATORS):
            return None
        steps = ([sys.executable, "-m", "venv", str(VENV)],
                 [str(BIN / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", *GENERATORS])
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True, timeout=900)
            if done.returncode:
                lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
                return f"cannot install {' and '.join(GENERATORS)} ({' '.join(step[-3:])}): " \
                       f"{lines[-1] if lines else 'no output'}"
        INSTALLED.write_text(" ".join(GENERATORS))
    return None


if __name__ == "__main__":
    problem = ensure()
    print(problem or f"code generators ready in {VENV}")
