"""coach/ is a library on its own: importing all of it pulls in neither Flask nor SQLAlchemy nor mentorship."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import importlib, json, pkgutil, sys
import coach
for module in pkgutil.walk_packages(coach.__path__, "coach."):
    importlib.import_module(module.name)
print(json.dumps([coach.__file__,
                  sorted(name for name in sys.modules if name.split(".")[0] in {"flask", "sqlalchemy", "mentorship"})]))
"""


def test_coach_imports_neither_flask_nor_sqlalchemy_nor_mentorship():
    # A fresh interpreter: this test process has imported Flask already (tests/conftest.py).
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    where, imported = json.loads(result.stdout)
    assert Path(where).parent == ROOT / "coach"  # this checkout's coach, not one installed elsewhere
    assert imported == []
