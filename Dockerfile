FROM python:3.11-slim-bookworm
# WeasyPrint needs Pango; fonts for the PDF reports.
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home qvt
WORKDIR /app
# The runtime requirements only: the development tools (embedded services, tests) stay out.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Production settings (DEBUG off) so that WhiteNoise's manifest of hashed names is written.
# collectstatic needs no database nor broker: the settings accept their absence until used.
RUN DEBUG=False SECRET_KEY=build-only-placeholder-never-used-at-run-time-0123456789 \
    python manage.py collectstatic --noinput
USER qvt
EXPOSE 8000
# Migrations run once per deployment, in docker-compose.yml's one-shot `migrate` service.
CMD ["gunicorn", "qvt.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--timeout", "30"]
