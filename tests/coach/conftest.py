"""The coach library touches no database: its tests opt out of the suite-wide rolled-back transaction."""
import pytest


@pytest.fixture(autouse=True)
def _rolled_back():
    """Overrides tests/conftest.py's fixture of the same name (which needs the app and a database)."""
    yield


def pytest_configure(config):
    config.addinivalue_line("markers", "disguise: issue 12's disguised-message tests (run alone: pytest -m disguise)")
