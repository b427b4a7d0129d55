"""The Celery worker that plays Medialog+ and delivers notifications."""
