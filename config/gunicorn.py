"""gunicorn for the Procfile's web line: `gunicorn -c config/gunicorn.py config.wsgi`.

gthread workers: while a thread holds a sign-in's password check (Argon2 releases the GIL), the other threads
still serve pages and answer "busy" at once (config/middleware.py). With sync workers an overload waits unseen in
the listen backlog, where nothing can shed it, until the client has given up.
"""

import gc
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))  # one per core; each runs the Argon2 checks of one core
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "8"))  # each holds a database connection (CONN_MAX_AGE)
# Bounded queues: connections a worker holds at once, and those the kernel keeps waiting for an accept. Past
# them a client is refused at once and can retry, instead of queueing for longer than it will wait.
worker_connections = threads * 4
backlog = int(os.environ.get("WEB_BACKLOG", "64"))
timeout = 30  # a worker silent this long is restarted
graceful_timeout = 20
keepalive = 5
max_requests = 5000  # recycle workers now and then, so a slow leak never becomes an outage
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def post_worker_init(worker) -> None:
    """What start-up loaded (Django, the apps, the URLs) lives as long as the worker: moved out of the garbage
    collector's sight, so that its full collections, which otherwise stop a request for ~90 ms now and then,
    walk only what requests made."""
    gc.collect()
    gc.freeze()
