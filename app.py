"""WSGI entry point: `flask --app app ...` and `gunicorn app:app`."""

from consult import create_app
from consult.scheduler.runner import start_in_process

app = create_app()
start_in_process(app)  # only with SCHEDULER_IN_PROCESS=true, which `make run` alone sets; never under gunicorn
