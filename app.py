"""PagePress API: Chalice wiring only. The views live in api/, the logic in chalicelib/."""
from chalice import Chalice

from api.blueprints.accounts import accounts
from api.blueprints.files import files
from api.blueprints.health import health
from api.errors import restate_chalice_error
from api.log import logger
from api.routing import correlation_id_for
from chalicelib.observability import start_tracing

API_PREFIX = "/api/v1"
start_tracing("pagepress-api")

app = Chalice(app_name="pagepress")
app.register_blueprint(health, url_prefix=API_PREFIX)
app.register_blueprint(accounts, url_prefix=API_PREFIX)
app.register_blueprint(files, url_prefix=API_PREFIX)


@app.middleware("http")
def correlate_and_normalise(event, get_response):
    """One correlation id per request, in every log line and echoed back; Chalice's own errors in our shape."""
    correlation_id = correlation_id_for(event)
    event.context["correlation_id"] = correlation_id
    logger.set_correlation_id(correlation_id)
    logger.append_keys(path=event.path, method=event.method)
    try:
        response = restate_chalice_error(get_response(event))
    finally:
        logger.remove_keys(["path", "method", "user_id"])
    response.headers["X-Correlation-Id"] = correlation_id
    return response
