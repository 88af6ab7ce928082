"""PagePress API: Chalice wiring only. The views live in api/, the logic in chalicelib/."""

from chalice import Chalice

from api.blueprints.accounts import accounts
from api.blueprints.contract import contract, docs
from api.blueprints.files import files
from api.blueprints.health import health
from api.blueprints.keys import keys
from api.blueprints.usage import usage
from api.blueprints.webhooks import webhooks
from api.errors import restate_chalice_error
from api.headers import harden
from api.log import logger
from api.routing import correlation_id_for
from chalicelib.observability import start_tracing

API_PREFIX = "/api/v1"
start_tracing("pagepress-api")

app = Chalice(app_name="pagepress")
app.api.binary_types.append("multipart/form-data")  # uploads arrive as bytes, whatever their encoding
app.register_blueprint(health, url_prefix=API_PREFIX)
app.register_blueprint(accounts, url_prefix=API_PREFIX)
app.register_blueprint(files, url_prefix=API_PREFIX)
app.register_blueprint(usage, url_prefix=API_PREFIX)
app.register_blueprint(keys, url_prefix=API_PREFIX)
app.register_blueprint(webhooks, url_prefix=API_PREFIX)
app.register_blueprint(contract, url_prefix=API_PREFIX)
app.register_blueprint(docs, url_prefix="/api")


@app.middleware("http")
def correlate_and_normalise(event, get_response):
    """One correlation id per request, in every log line and echoed back; Chalice's own errors in our
    shape; nosniff and no-store on every answer."""
    correlation_id = correlation_id_for(event)
    event.context["correlation_id"] = correlation_id
    logger.set_correlation_id(correlation_id)
    logger.append_keys(path=event.path, method=event.method)
    try:
        response = restate_chalice_error(get_response(event))
    finally:
        logger.remove_keys(["path", "method", "user_id", "api_key_id"])
    response.headers["X-Correlation-Id"] = correlation_id
    return harden(response)
