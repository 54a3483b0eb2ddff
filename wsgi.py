"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""
from mentorship import create_app

app = create_app()
