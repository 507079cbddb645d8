"""The scoring API on AWS Lambda (Mangum adapts the ASGI app to function-URL / HTTP API events).

The model artifact ships inside the deployment package (MODEL_ARTIFACT, default model.json beside
this code), so a published Lambda version pins one model version and the `live` alias chooses which
one serves; features come from DynamoDB (FEATURE_TABLE), request lines go to Firehose
(REQUEST_LOG_STREAM) and CloudWatch. Built once per execution environment, on the first request.
"""

from __future__ import annotations

import logging
import os
from typing import Any

_handler: Any = None


def _build() -> Any:
    from mangum import Mangum

    from finlake.serving.app import create_app
    from finlake.serving.model import ScoringModel
    from finlake.serving.requestlog import FirehoseLog
    from finlake.serving.service import ScoringService
    from finlake.serving.store import DynamoFeatureStore

    logging.getLogger("finlake.serving").setLevel(logging.INFO)
    model = ScoringModel.from_file(
        os.environ.get("MODEL_ARTIFACT", os.path.join(os.path.dirname(__file__), "model.json"))
    )
    service = ScoringService(
        model, DynamoFeatureStore(os.environ["FEATURE_TABLE"]), FirehoseLog(os.environ["REQUEST_LOG_STREAM"])
    )
    return Mangum(create_app(service), lifespan="off")


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    global _handler
    if _handler is None:
        _handler = _build()
    return dict(_handler(event, context))
