FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1

# The PostgreSQL major version of the server: `manage.py backup` runs pg_dump, which refuses a
# server newer than itself (Debian bookworm ships 15), so the client comes from PostgreSQL's own
# apt repository (apt.postgresql.org, its documented manual set-up).
ARG PG_MAJOR=16

# Pango for WeasyPrint's PDF reports; gettext for the translation catalogues; pg_dump and
# pg_restore for backups.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && install -d /usr/share/postgresql-common/pgdg \
    && curl -fsSo /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
       https://www.postgresql.org/media/keys/ACCC4CF8.asc \
    && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
       > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
       fonts-dejavu-core gettext "postgresql-client-${PG_MAJOR}" \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY . .
# A fixed numeric user, so Kubernetes can check runAsNonRoot (deploy/k8s/ runs as 10001).
RUN useradd --create-home --uid 10001 --user-group tandem && mkdir -p /app/var \
    && chown -R tandem /app/var
USER 10001:10001

# collectstatic needs settings but no database; a throwaway key is fine at build time.
RUN SECRET_KEY=build-only DEBUG=0 python manage.py collectstatic --no-input -v0

EXPOSE 8000
# No gunicorn access log: the app writes one JSON line per request (route pattern, status, user,
# request id), and gunicorn's line would repeat it with the query string, where links carry tokens.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
