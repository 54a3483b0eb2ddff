def pytest_configure(config):
    config.addinivalue_line("markers", "serial: starts servers on loopback ports; never run in parallel with others")
