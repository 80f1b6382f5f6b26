"""gunicorn settings: `gunicorn -c config/gunicorn.conf.py wsgi:app`.

Every value can be overridden from the environment (GUNICORN_*), as usual for gunicorn.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak can never take a node down (0: never).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "500"))
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# The tool logs every request itself (logger lti_tool.request) with its request id, platform,
# course and user ids, and without the query string, where launch tokens ride. gunicorn's own
# access log is opt-in (GUNICORN_ACCESSLOG=-), and never prints the query or the referrer.
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
errorlog = "-"

# With JSON logs (LOG_FORMAT=json, the default in production), gunicorn's lines are JSON too.
_production = os.environ.get("LTI_TOOL_ENV") == "production"
if os.environ.get("LOG_FORMAT", "json" if _production else "text").lower() == "json":
    _handler = {"class": "logging.StreamHandler", "formatter": "json"}
    logconfig_dict = {
        "formatters": {"json": {"()": "lti_tool.logs.JsonFormatter"}},
        "handlers": {
            "console": {**_handler, "stream": "ext://sys.stdout"},
            "error_console": {**_handler, "stream": "ext://sys.stderr"},
        },
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {
                "level": "INFO" if accesslog else "WARNING",
                "handlers": ["console"],
                "propagate": False,
            },
        },
    }


def post_worker_init(worker):
    """Once the worker has loaded the app: move what is loaded (modules, templates, mappers)
    out of the garbage collector's sight, so each collection walks only what requests make."""
    from lti_tool.heap import freeze_loaded

    freeze_loaded()
