"""AWS Lambda: alert the risk team when customers enter the HIGH risk band, and when loans' early-warning
risk rose.

Triggered on a schedule or when the scoring run finishes (EventBridge). It runs the Athena query
`high_risk_new_entrants.sql` (customers HIGH in the latest scoring run and not HIGH in the one
before), publishes one SNS message per batch of customers, then runs `loans_whose_risk_rose.sql`
(open loans whose early-warning risk rose at the latest month end) and publishes those loans in
messages of their own type. It remembers in DynamoDB what it sent, so a rerun or a retry never
alerts the same customer for the same scoring run, or the same loan for the same month end, twice.

Delivery: each alert key ("<scoring run>#<customer>", "risk_rose#<month>#<loan>") is *claimed* with a
conditional write before the message is published and marked SENT after, so concurrent or repeated
invocations skip it. A claim whose
invocation died before publishing is taken over after CLAIM_TIMEOUT_SECONDS. The one window left
(publish succeeded, then the function died before marking SENT) can repeat that one batch once; the
message's batch_id lets subscribers drop it.

Athena throttling, failed or cancelled queries and timeouts are retried with exponential backoff,
then the invocation fails loudly (Lambda's retries and the dead-letter queue take it from there).

Settings come from environment variables that Terraform sets (terraform/modules/alerting); boto3
clients are created on the first invocation, never at import time.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from finlake.alerting import (
    ALERT_QUERY_FILE,
    MESSAGE_TYPE,
    RISK_ROSE_MESSAGE_TYPE,
    RISK_ROSE_QUERY_FILE,
    HighRiskCustomer,
    RiskRose,
    batches,
    build_message,
    build_risk_rose_message,
    find_query_file,
    parse_risk_rose,
    parse_rows,
    render_query,
    risk_rose_batches,
)

LOG = logging.getLogger()
LOG.setLevel(logging.INFO)

# Environment contract with Terraform (tests/lambdas check both sides name the same variables).
REQUIRED_ENV = ("ATHENA_WORKGROUP", "GOLD_DATABASE", "SNS_TOPIC_ARN", "STATE_TABLE", "DASHBOARD_URL")
OPTIONAL_ENV = ("BATCH_SIZE", "QUERY_TIMEOUT_SECONDS", "MAX_ATTEMPTS")

RETRYABLE_ERROR_CODES = {"ThrottlingException", "TooManyRequestsException", "InternalServerException"}
CLAIM_TIMEOUT_SECONDS = 900
STATE_TTL_SECONDS = 180 * 24 * 3600  # forget sent alerts after ~6 months
HERE = Path(__file__).resolve().parent
# Packaged: the SQL sits next to this file. In the repository: athena/ holds it.
QUERY_DIRS = (HERE, HERE.parents[1] / "athena")
Alert = HighRiskCustomer | RiskRose  # anything with a state_key: what SentAlerts claims


class AlertError(RuntimeError):
    """Athena could not answer after every retry: fail the invocation loudly."""


@dataclass(frozen=True)
class Settings:
    athena_workgroup: str
    gold_database: str
    sns_topic_arn: str
    state_table: str
    dashboard_url: str
    batch_size: int = 50
    query_timeout_seconds: float = 120.0
    max_attempts: int = 4

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        missing = [name for name in REQUIRED_ENV if not env.get(name)]
        if missing:
            raise AlertError(f"missing environment variable(s): {', '.join(missing)}")
        return cls(
            athena_workgroup=env["ATHENA_WORKGROUP"],
            gold_database=env["GOLD_DATABASE"],
            sns_topic_arn=env["SNS_TOPIC_ARN"],
            state_table=env["STATE_TABLE"],
            dashboard_url=env["DASHBOARD_URL"],
            batch_size=int(env.get("BATCH_SIZE", "50")),
            query_timeout_seconds=float(env.get("QUERY_TIMEOUT_SECONDS", "120")),
            max_attempts=int(env.get("MAX_ATTEMPTS", "4")),
        )


class Athena:
    """Runs one query to completion, with retries and exponential backoff."""

    def __init__(self, client: Any, settings: Settings, sleep=time.sleep, poll_seconds: float = 1.0) -> None:
        self.client, self.settings, self.sleep, self.poll_seconds = client, settings, sleep, poll_seconds

    def rows(self, sql: str) -> list[dict[str, str]]:
        last_problem = ""
        for attempt in range(1, self.settings.max_attempts + 1):
            try:
                return self._run_once(sql)
            except AlertError as exc:  # failed, cancelled or timed out
                last_problem = str(exc)
            except Exception as exc:
                code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
                if code not in RETRYABLE_ERROR_CODES:
                    raise
                last_problem = f"Athena {code}"
            LOG.warning("attempt %d/%d failed: %s", attempt, self.settings.max_attempts, last_problem)
            if attempt < self.settings.max_attempts:
                self.sleep(min(2 ** (attempt - 1), 30))
        raise AlertError(f"Athena query failed after {self.settings.max_attempts} attempts: {last_problem}")

    def _run_once(self, sql: str) -> list[dict[str, str]]:
        execution_id = self.client.start_query_execution(
            QueryString=sql,
            QueryExecutionContext={"Database": self.settings.gold_database},
            WorkGroup=self.settings.athena_workgroup,
        )["QueryExecutionId"]
        deadline = time.monotonic() + self.settings.query_timeout_seconds
        while True:
            status = self.client.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]["Status"]
            state = status["State"]
            if state == "SUCCEEDED":
                return self._results(execution_id)
            if state in {"FAILED", "CANCELLED"}:
                raise AlertError(f"query {execution_id} {state}: {status.get('StateChangeReason', '')}")
            if time.monotonic() > deadline:
                self.client.stop_query_execution(QueryExecutionId=execution_id)
                raise AlertError(f"query {execution_id} timed out after {self.settings.query_timeout_seconds}s")
            self.sleep(self.poll_seconds)

    def _results(self, execution_id: str) -> list[dict[str, str]]:
        pages = self.client.get_paginator("get_query_results").paginate(QueryExecutionId=execution_id)
        header: list[str] = []
        rows: list[dict[str, str]] = []
        for page in pages:
            for row in page["ResultSet"]["Rows"]:
                values = [cell.get("VarCharValue", "") for cell in row["Data"]]
                if not header:
                    header = values
                    continue
                rows.append(dict(zip(header, values, strict=True)))
        return rows


class SentAlerts:
    """The function's memory: one DynamoDB item per (scoring run, customer) and per (month end, loan)."""

    def __init__(self, client: Any, table: str, now=time.time) -> None:
        self.client, self.table, self.now = client, table, now

    def claim(self, customer: Alert) -> bool:
        """True if this invocation may send the alert (not sent, not claimed by a live invocation)."""
        now = int(self.now())
        try:
            self.client.put_item(
                TableName=self.table,
                Item={
                    "alert_key": {"S": customer.state_key},
                    "status": {"S": "CLAIMED"},
                    "claimed_at": {"N": str(now)},
                    "expires_at": {"N": str(now + STATE_TTL_SECONDS)},
                },
                ConditionExpression="attribute_not_exists(alert_key) OR (#s = :claimed AND claimed_at < :stale)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":claimed": {"S": "CLAIMED"},
                    ":stale": {"N": str(now - CLAIM_TIMEOUT_SECONDS)},
                },
            )
            return True
        except self.client.exceptions.ConditionalCheckFailedException:
            return False

    def mark_sent(self, customer: Alert, message_id: str) -> None:
        self.client.update_item(
            TableName=self.table,
            Key={"alert_key": {"S": customer.state_key}},
            UpdateExpression="SET #s = :sent, message_id = :m, sent_at = :t",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":sent": {"S": "SENT"},
                ":m": {"S": message_id},
                ":t": {"N": str(int(self.now()))},
            },
        )


def _publish(
    settings: Settings,
    state: SentAlerts,
    sns: Any,
    candidate_batches: Iterable[Sequence[Alert]],
    build: Callable[[Any, str], tuple[str, str]],
    message_type: str,
) -> tuple[int, int]:
    """Claim, publish and mark each batch; returns (alerts sent, messages)."""
    sent = messages = 0
    for candidate_batch in candidate_batches:
        claimed = [a for a in candidate_batch if state.claim(a)]
        if not claimed:
            continue
        subject, body = build(claimed, settings.dashboard_url)
        message_id = sns.publish(
            TopicArn=settings.sns_topic_arn,
            Subject=subject,
            Message=body,
            # Subscribers can filter on the type (SNS filter policies) without parsing the body.
            MessageAttributes={"type": {"DataType": "String", "StringValue": message_type}},
        )["MessageId"]
        for alert in claimed:
            state.mark_sent(alert, message_id)
        sent, messages = sent + len(claimed), messages + 1
    return sent, messages


def _query(settings: Settings, athena: Athena, file_name: str) -> list[dict[str, str]]:
    sql = find_query_file(*QUERY_DIRS, file_name=file_name).read_text()
    return athena.rows(render_query(sql, settings.gold_database))


def send_alerts(settings: Settings, athena: Athena, state: SentAlerts, sns: Any) -> dict[str, Any]:
    """HIGH-risk entrants first, then loans whose risk rose: a failing second query leaves the first sent."""
    customers = parse_rows(_query(settings, athena, ALERT_QUERY_FILE))
    batch_size = settings.batch_size
    sent, messages = _publish(settings, state, sns, batches(customers, batch_size), build_message, MESSAGE_TYPE)
    summary = {"candidates": len(customers), "alerted": sent, "already_alerted": len(customers) - sent}
    LOG.info("high-risk alerts: %s in %d message(s)", summary, messages)

    loans = parse_risk_rose(_query(settings, athena, RISK_ROSE_QUERY_FILE))
    rose_sent, rose_messages = _publish(
        settings, state, sns, risk_rose_batches(loans, batch_size), build_risk_rose_message, RISK_ROSE_MESSAGE_TYPE
    )
    rose = {"candidates": len(loans), "alerted": rose_sent, "already_alerted": len(loans) - rose_sent}
    LOG.info("risk-rose alerts: %s in %d message(s)", rose, rose_messages)
    return {**summary, "messages": messages, "risk_rose": {**rose, "messages": rose_messages}}


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    import boto3  # in the Lambda runtime; imported here so importing this module creates nothing

    settings = Settings.from_env()
    return send_alerts(
        settings,
        Athena(boto3.client("athena"), settings),
        SentAlerts(boto3.client("dynamodb"), settings.state_table),
        boto3.client("sns"),
    )
