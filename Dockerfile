FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=socialmetrics.settings.production

WORKDIR /app
RUN useradd --create-home --uid 1000 app
COPY pyproject.toml README.md ./
COPY socialmetrics ./socialmetrics
COPY accounts ./accounts
COPY ingestion ./ingestion
COPY analytics ./analytics
COPY dashboards ./dashboards
RUN pip install --upgrade "pip>=25.1" && pip install .
COPY . .
# collectstatic needs settings but no real services or secrets.
RUN SECRET_KEY=build-only-$(head -c 48 /dev/urandom | base64) DATABASE_URL=postgres://build@localhost/build \
    REDIS_URL=redis://localhost:6379/0 FIELD_ENCRYPTION_KEY=$(python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())") \
    python manage.py collectstatic --no-input
USER app
EXPOSE 8000
CMD ["gunicorn", "socialmetrics.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
