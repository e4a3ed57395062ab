# Production image: gunicorn serving the portal; the same image runs Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DEBUG=false \
    STATIC_ROOT=/app/var/static \
    MEDIA_ROOT=/app/var/media

WORKDIR /app

# WeasyPrint's libraries, libpq and a compiler for psycopg2, gettext for the catalogues.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        build-essential libpq-dev libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
        libharfbuzz-subset0 fontconfig fonts-dejavu-core gettext curl \
    && rm -rf /var/lib/apt/lists/*

COPY requirements/lock.txt requirements/lock.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/lock.txt

COPY . .
# collectstatic needs a syntactically valid key; the real one comes from the environment.
RUN SECRET_KEY=build-only-key-build-only-key-build-only-key-0123456789 \
        python manage.py collectstatic --no-input -v0 \
    && python manage.py compilemessages --ignore=.venv -v0 \
    && useradd --system --home /app portal \
    && mkdir -p /app/var/media \
    && chown -R portal /app/var

USER portal
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
