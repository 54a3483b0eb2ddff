# syntax=docker/dockerfile:1
# The image the Helm chart runs (web, workers, scheduler and the migration Job all use it).
# The base is pinned by digest (python:3.11.13-slim-bookworm); bump tag and digest together.
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm@sha256:86adf8dbadc3d6e82ee5dd2c74bec2e1c2467cdad47886280501df722372d2e1

# Build: the project's wheel and the wheels of all its dependencies, nothing else.
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY mentorship mentorship
COPY matching matching
COPY coach coach
RUN pip wheel --wheel-dir /wheels .

# Run: the wheels installed (no editable install, no compilers, no sources), as a non-root user.
FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FLASK_APP=wsgi
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-index --find-links=/wheels mentorship \
 && useradd --uid 10001 --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin app
# The app looks for migrations/ next to its package (mentorship.ROOT / "migrations", ROOT being the directory that
# holds the package): in an installed wheel, site-packages. `flask db upgrade` then needs no --directory.
COPY migrations /usr/local/lib/python3.11/site-packages/migrations
RUN python -c "import mentorship; assert (mentorship.ROOT / 'migrations' / 'env.py').is_file(), mentorship.ROOT"
WORKDIR /app
# wsgi.py, and gunicorn.conf.py (workers, timeouts, access log, metrics' multiprocess clean-up)
COPY *.py ./
USER 10001:10001
EXPOSE 8000
# Docker's own check (Kubernetes ignores it: the chart has its probes); for the web process, the image's default.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["gunicorn", "-c", "gunicorn.conf.py", "--bind", "0.0.0.0:8000", "wsgi:app"]
