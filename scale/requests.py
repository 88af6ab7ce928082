"""AWS requests per conversion, as counted at the client in a real run of the code.

``PER_CONVERSION`` is what tests/integration/test_requests_per_conversion.py counts when one
URL goes through ``POST /request``, the converter handler, ``GET /files`` and
``GET /file/{name}/link`` in a fresh container (the test fails when the code sends anything
else). ``ONCE_PER_CONTAINER`` are calls whose answer the container caches, so they are not
per conversion on a warm Lambda. The event source mapping's own SQS calls and the user's
download are not the code's: ``PER_BATCH`` and ``PER_DOWNLOAD`` say what they are (Lambda
and S3 documentation).
"""

from __future__ import annotations

PER_CONVERSION: dict[str, dict[str, int]] = {
    "api_request": {
        "dynamodb:UpdateItem": 1,  # the per-user rate ledger
        "dynamodb:TransactWriteItems": 1,  # the pending entry + the summary, conditional on the limits
        "sqs:GetQueueUrl": 1,
        "sqs:SendMessage": 1,
    },
    "converter": {
        "dynamodb:UpdateItem": 1,  # pending -> processing, conditional
        "dynamodb:TransactWriteItems": 1,  # processing -> ready (conditional) + the summary
        "s3:PutObject": 2,  # the PDF and its thumbnail
    },
    "api_list": {"dynamodb:Query": 1},  # GET /files once the job is ready
    "api_link": {"dynamodb:GetItem": 1},  # GET /file/{name}/link: ownership, then a presigned URL
}
ONCE_PER_CONTAINER = frozenset({"sqs:GetQueueUrl"})
#: The event source mapping's poller, per batch it hands the function: one ReceiveMessage and
#: one DeleteMessageBatch (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html).
PER_BATCH = {"sqs:ReceiveMessage": 1, "sqs:DeleteMessageBatch": 1}
#: The browser follows the presigned link: one GET on S3 and the PDF's bytes out.
PER_DOWNLOAD = {"s3:GetObject": 1}
#: Items each transaction writes (the entry and its user's holdings summary).
ITEMS_PER_TRANSACTION = 2
#: API Lambda invocations (and API Gateway requests) per conversion: POST, list, link.
API_CALLS = tuple(phase for phase in PER_CONVERSION if phase.startswith("api_"))


def per_conversion_counts(batch_size: int) -> dict[str, float]:
    """Requests of each kind per conversion on warm containers, batches of ``batch_size``."""
    totals: dict[str, float] = {}
    for calls in PER_CONVERSION.values():
        for call, n in calls.items():
            if call not in ONCE_PER_CONTAINER:
                totals[call] = totals.get(call, 0) + n
    for call, n in PER_BATCH.items():
        totals[call] = totals.get(call, 0) + n / batch_size
    for call, n in PER_DOWNLOAD.items():
        totals[call] = totals.get(call, 0) + n
    return totals
