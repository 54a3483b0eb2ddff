"""matching/ is a library on its own: importing all of it pulls in neither Flask nor SQLAlchemy."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import importlib, json, pkgutil, sys
import matching
for module in pkgutil.walk_packages(matching.__path__, "matching."):
    importlib.import_module(module.name)
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in {"flask", "sqlalchemy", "mentorship"})))
"""


def test_matching_imports_neither_flask_nor_sqlalchemy():
    # A fresh interpreter: this test process has imported Flask already (tests/conftest.py).
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == []
