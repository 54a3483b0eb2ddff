# The image the Helm chart runs (web, workers, scheduler and the migration Job all use it).
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 FLASK_APP=wsgi
COPY pyproject.toml README.md wsgi.py ./
COPY mentorship mentorship
COPY matching matching
COPY coach coach
COPY migrations migrations
# editable: the app finds migrations/ next to the package
RUN pip install --no-cache-dir -e . && useradd --uid 10001 --no-create-home app
USER 10001
EXPOSE 8000
CMD ["gunicorn", "-w", "4", "-b", "0.0.0.0:8000", "--access-logfile", "-", "wsgi:app"]
