"""The HTTP API (FastAPI): POST /v1/score, POST /v1/score/batch, GET /healthz, OpenAPI at /docs.

Errors are JSON and never carry a stack trace: a bad request is 422 naming each bad field, an
unknown loan or customer 404, anything unexpected 500 with the request id (its type is logged, not
its message, which could hold input values).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from finlake.serving.service import NotFound, ScoringService

MAX_BATCH = 500
LOGGER = logging.getLogger("finlake.serving")


class InternalError(Exception):
    """A bug, not bad input: answered as 500 by a handler (so no traceback reaches the server log)."""


class Application(BaseModel):
    model_config = ConfigDict(extra="forbid")
    loan_type: str = Field(min_length=1, max_length=40, description="Loan product, e.g. PERSONAL, AUTO, MORTGAGE.")
    principal: float = Field(gt=0, le=1e9, description="Amount to lend.")
    term_months: int = Field(gt=0, le=600, description="Term in months.")
    interest_rate: float = Field(ge=0, le=100, description="Annual interest rate, percent.")
    monthly_payment: float | None = Field(
        default=None, gt=0, le=1e9, description="Scheduled instalment; the annuity of the terms when left out."
    )


class ScoreRequest(BaseModel):
    """Either an existing loan (`loan_id`) or a new application (`customer_id` and `application`)."""

    model_config = ConfigDict(extra="forbid")
    loan_id: str | None = Field(default=None, min_length=1, max_length=64)
    customer_id: str | None = Field(default=None, min_length=1, max_length=64)
    application: Application | None = None

    @model_validator(mode="after")
    def one_kind(self) -> ScoreRequest:
        if self.loan_id is not None and (self.customer_id is not None or self.application is not None):
            raise ValueError("give either loan_id, or customer_id with application, not both")
        if self.loan_id is None and (self.customer_id is None or self.application is None):
            raise ValueError("give loan_id, or customer_id together with application")
        return self


class Reason(BaseModel):
    factor: str = Field(description="The gold.loan_features column behind the reason.")
    contribution: float = Field(description="Log-odds this factor adds against the training population's average.")
    value: float | str | None = Field(description="The loan's value of the factor.")
    text: str = Field(description="The reason in words, from the contract's column description.")


class ScoreResponse(BaseModel):
    probability: float
    risk_band: Literal["LOW", "MEDIUM", "HIGH"]
    above_threshold: bool = Field(description="At or above the model's decision threshold (KS point).")
    reasons: list[Reason] = Field(description="Up to four factors that raised the risk, largest first.")
    model_name: str
    model_version: str


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    requests: list[ScoreRequest] = Field(min_length=1, max_length=MAX_BATCH)


class BatchItem(BaseModel):
    status: int
    result: ScoreResponse | None = None
    error: str | None = None


class BatchResponse(BaseModel):
    results: list[BatchItem]


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc if p != "body") or "body"


def create_app(service: ScoringService) -> FastAPI:
    app = FastAPI(
        title="finlake scoring API",
        version=service.model.version,
        description=f"Default probability and reasons from {service.model.name} (pure-Python scorer).",
    )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [{"field": _field(tuple(e["loc"])), "message": e["msg"]} for e in exc.errors()]
        return JSONResponse(status_code=422, content={"error": "invalid request", "fields": fields})

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse(status_code=404, content={"error": str(exc)})

    @app.exception_handler(InternalError)
    async def failed(request: Request, exc: InternalError) -> JSONResponse:
        request_id = uuid.uuid4().hex
        LOGGER.error("request %s failed: %s", request_id, type(exc.__cause__).__name__)
        return JSONResponse(status_code=500, content={"error": "internal error", "request_id": request_id})

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        published = service.store.metadata().get("published_at")
        return {"status": "ok", "model_name": service.model.name, "model_version": service.model.version,
                "features_published_at": published}  # fmt: skip

    def one(item: ScoreRequest) -> dict[str, Any]:
        try:
            return service.score(item.model_dump())
        except NotFound:
            raise
        except Exception as exc:
            raise InternalError() from exc

    @app.post("/v1/score", response_model=ScoreResponse, responses={404: {"description": "Unknown loan or customer"}})
    async def score(body: ScoreRequest) -> dict[str, Any]:
        return one(body)

    @app.post("/v1/score/batch", response_model=BatchResponse)
    async def score_batch(body: BatchRequest) -> dict[str, Any]:
        results: list[dict[str, Any]] = []
        for item in body.requests:
            try:
                results.append({"status": 200, "result": one(item)})
            except NotFound as exc:
                results.append({"status": 404, "error": str(exc)})
        return {"results": results}

    return app
