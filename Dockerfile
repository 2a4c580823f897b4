FROM python:3.11-slim-bookworm
# WeasyPrint needs Pango; fonts for the PDF reports.
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home qvt
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Production settings (DEBUG off) so that WhiteNoise's manifest of hashed names is written.
RUN DEBUG=False SECRET_KEY=build-only-placeholder-never-used-at-run-time-0123456789 \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost \
    python manage.py collectstatic --noinput
USER qvt
EXPOSE 8000
CMD ["gunicorn", "qvt.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--timeout", "30"]
