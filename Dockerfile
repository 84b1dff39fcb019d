# The one image of the production stack: web (gunicorn), worker and beat (Celery) all run it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .

# The compiled translations (.mo) are not in git: without this step the image serves no Korean.
# The key only lets the settings load for the command; nothing is signed with it.
RUN SECRET_KEY=image-build-only python manage.py compile_translations --verbosity 0

# Run as an unprivileged user; it owns only what it writes: collected static files and var/.
RUN useradd --create-home --uid 1000 app \
    && mkdir -p /app/staticfiles /app/var \
    && chown -R app:app /app/staticfiles /app/var
USER app

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
