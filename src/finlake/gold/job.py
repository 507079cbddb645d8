"""The Silver -> Gold job: read current Silver, gate on its quality, build Gold, audit it, publish it.

1. Read each Silver table at the Iceberg snapshot the last successful Silver run recorded (one
   consistent cut, even while Silver is being written).
2. Evaluate the Silver rulesets (one aggregation pass per table, which also collects each table's
   run ids and ingest dates for lineage; silver.transactions over the rows appended since the last
   run when it can, merged with that run's values). A failing BLOCKING rule stops here: nothing is
   promoted.
3. Build every Gold table (pure transforms) and commit each to an Iceberg audit branch
   (write-audit-publish): the Gold rulesets run on the branch, and only if no blocking rule fails is
   each table's main fast-forwarded to it, atomically. A failure anywhere leaves the last good Gold.
4. Reserve gold.customer_risk_scores and gold.loan_early_warning (empty, with their schemas) if
   scoring never wrote them.
5. Write the run report (rows per table, data-quality results, lineage) and print a summary.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from finlake import storage
from finlake.errors import FinlakeError
from finlake.gold import fx_coverage, incremental
from finlake.gold.models import SILVER_INPUTS, UPSTREAM, GoldParams, build_gold
from finlake.jobrun import JobRun
from finlake.lake import Lake
from finlake.quality import Evaluation, check_gate, evaluate, load_ruleset
from finlake.quality.evaluate import Appended, History
from finlake.quality.history import metric_history
from finlake.report import RunReport, TableLineage
from finlake.runs import new_run_id
from finlake.silver.state import load_state
from finlake.spark import run_concurrently

JOB_NAME = "silver_to_gold"
# written by the scoring jobs; Gold only makes sure they exist, so catalog, Athena and dashboards
# always find every declared Gold table
RESERVED = ("customer_risk_scores", "loan_early_warning")


@dataclass
class GoldLineage(TableLineage):
    """TableLineage plus, per Silver input, the version read and the runs/ingest dates its rows came from."""

    sources: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class SilverInput:
    name: str
    df: DataFrame
    path: str
    version: str


ALL_ROWS = "all rows"


@dataclass(frozen=True)
class GoldWrite:
    """A Gold table's new rows and how they replace the published ones (a storage writer that takes
    `branch=`: every row, or only the partitions an increment changed)."""

    rows: DataFrame
    write: Callable[..., None] = storage.replace_rows
    scope: str = ALL_ROWS


def plan_increment(
    spark: SparkSession, lake: Lake, silver: Mapping[str, SilverInput], params: GoldParams, full_refresh: bool
) -> incremental.Planned:
    """What Silver appended since the last Gold run (or why everything is rebuilt), and that run's state."""
    if full_refresh:
        return "--full-refresh", None
    previous = incremental.load_gold_state(lake)
    frames = {n: s.df for n, s in silver.items()}
    snapshots = {f"silver.{n}": int(s.version) for n, s in silver.items()}
    return incremental.plan_increment(spark, lake, frames, snapshots, _state_params(params), previous), previous


def plan_writes(
    spark: SparkSession,
    lake: Lake,
    silver: Mapping[str, SilverInput],
    params: GoldParams,
    increment: incremental.Planned,
    report: RunReport,
) -> dict[str, GoldWrite]:
    """Every Gold table in full, or (after a Silver run that only appended transactions) the
    history-sized tables for what changed only: see gold/incremental.py."""
    frames = {n: s.df for n, s in silver.items()}
    full = {name: GoldWrite(df.repartition(1)) for name, df in build_gold(frames, params).items()}
    plan, previous = increment
    if isinstance(plan, str):
        report.notes.append(f"every Gold table rebuilt in full: {plan}")
        return full
    assert previous is not None
    writes = {n: w for n, w in full.items() if n not in incremental.INCREMENTAL_TABLES}
    features = _loan_features_write(spark, lake, frames, plan, params, previous)
    if features is None:
        report.notes.append("gold.loan_features rebuilt in full: it changed outside silver-to-gold since the last run")
    else:
        writes["loan_features"] = features
    if not plan.months and plan.rates_from is None:
        report.notes.append("incremental Gold: no new transactions or rates, the history-sized tables are unchanged")
        return writes
    writes.update(_incremental_writes(spark, lake, frames, plan, params, previous))
    scopes = [f"{n} {w.scope}" for n, w in writes.items() if w.scope != ALL_ROWS]
    report.notes.append("incremental Gold: " + "; ".join(scopes))
    return writes


def _loan_features_write(
    spark: SparkSession,
    lake: Lake,
    frames: Mapping[str, DataFrame],
    plan: incremental.Increment,
    params: GoldParams,
    previous: incremental.GoldState,
) -> GoldWrite | None:
    """gold.loan_features with the transaction columns reused from the last run where the day cannot
    change them (gold/incremental.py), or None (rebuilt in full) if the table changed since that run."""
    table = "gold.loan_features"
    if incremental.changed_outside(spark, lake, previous, table):
        return None
    published = storage.read_table(spark, lake, table, snapshot_id=previous.gold[table])
    rows = incremental.loan_features_rows(frames, plan.new_transactions, published, params.feature_window_days)
    return GoldWrite(rows.repartition(1), scope="transaction columns recomputed for new, changed or late-booked loans")


def _incremental_writes(
    spark: SparkSession,
    lake: Lake,
    frames: Mapping[str, DataFrame],
    plan: incremental.Increment,
    params: GoldParams,
    previous: incremental.GoldState,
) -> dict[str, GoldWrite]:
    """The months the new transactions fall in, and the alerts they (or changed exchange rates) can
    change (gold/incremental.py)."""
    transactions, accounts, rules = frames["transactions"], frames["accounts"], params.compliance_rules
    judged = plan.judged_again(transactions)
    since = incremental.structuring_scope(transactions, judged, rules)
    first = incremental.scope_first_month(plan, since)
    alerts = "gold.compliance_cash_alerts"
    published = storage.read_table(spark, lake, alerts, snapshot_id=previous.gold[alerts])
    rows = incremental.compliance_rows(
        transactions, judged, accounts, published, rules, since, first, frames["fx_rates"], plan.rates_from
    )
    writes = {}
    if plan.months:  # amounts there are in the account's currency: rates do not change them
        writes["account_monthly_activity"] = GoldWrite(
            incremental.monthly_activity_rows(transactions, accounts, plan.months),
            partial(storage.replace_partition_values, column="month", values=plan.months),
            f"months {', '.join(plan.months)}",
        )
    writes["compliance_cash_alerts"] = GoldWrite(
        rows,
        partial(storage.replace_where, condition=F.col("alert_month") >= F.lit(first)),
        f"alert months from {first}" + (f" (rates changed from {plan.rates_from})" if plan.rates_from else ""),
    )
    return writes


def _state_params(params: GoldParams) -> dict[str, Any]:
    return {k: str(v) for k, v in dataclasses.asdict(params).items()}


def read_silver(spark: SparkSession, lake: Lake) -> dict[str, SilverInput]:
    """Each Silver input at the snapshot the last successful Silver run left (its state file): one
    consistent cut, so a Gold run never mixes two Silver runs, even while Silver is being written."""
    storage.check_lake_format(lake)
    snapshots = load_state(lake).snapshots
    inputs = {}
    for name in SILVER_INPUTS:
        table = f"silver.{name}"
        snapshot = snapshots.get(table)
        if snapshot is None or not storage.table_exists(spark, lake, table):
            raise FinlakeError(f"{table} is not published yet: run `finlake bronze-to-silver` first")
        df = storage.read_table(spark, lake, table, snapshot_id=snapshot)
        inputs[name] = SilverInput(name, df, storage.ref(table).identifier(lake), str(snapshot))
    return inputs


def _lineage_aggregates() -> dict[str, Column]:
    """Gate extras: the runs and ingest dates a Silver table's rows came from (the Gold lineage)."""
    return {
        "run_ids": F.sort_array(F.collect_set("run_id")),
        "first_ingest_date": F.min("ingest_date"),
        "last_ingest_date": F.max("ingest_date"),
    }


GATED_APPENDED = "transactions"  # the history-sized Silver table: gated on its appended rows when it can be


def _lineage_merges(convertible: list[str]) -> dict[str, Callable[[Any, Any], Any]]:
    """How each gate extra of two row sets combines (see quality.evaluate.Appended)."""

    def dates(pick: Callable[[list[str]], str]) -> Callable[[Any, Any], Any]:
        def merge(old: Any, new: Any) -> str | None:
            known = [str(d) for d in (old, new) if d is not None]
            return pick(known) if known else None

        return merge

    return {
        "run_ids": lambda old, new: sorted({*(old or []), *(new or [])}),
        "first_ingest_date": dates(min),
        "last_ingest_date": dates(max),
        # a currency no rate converted before and none converts now; earlier rows' currencies that
        # gained a rate drop out (the caller checks no currency lost its rates)
        fx_coverage.EXTRA: lambda old, new: sorted({*(c for c in old or [] if c not in convertible), *(new or [])}),
    }


def _appended(
    spark: SparkSession, lake: Lake, increment: incremental.Planned, convertible: list[str]
) -> Appended | None:
    """silver.transactions' rows appended since the last Gold run, with that run's gate values, if
    its gate can build on them: an increment, values kept, and no currency lost its exchange rates."""
    plan, previous = increment
    saved = previous.gate.get(f"silver.{GATED_APPENDED}") if previous else None
    if not isinstance(plan, incremental.Increment) or not saved or not set(saved["convertible"]) <= set(convertible):
        return None
    assert previous is not None
    table = f"silver.{GATED_APPENDED}"
    published = storage.read_table(spark, lake, table, snapshot_id=previous.silver[table])
    return Appended(plan.new_transactions, published, saved["values"])


def _silver_gate(
    silver: Mapping[str, SilverInput],
    history: History,
    report: RunReport,
    convertible: list[str] | None = None,
    rows_appended: Appended | None = None,
) -> dict[str, Evaluation]:
    """The Silver rulesets, one pass per table; silver.transactions only over the rows appended since
    the last run when `rows_appended` gives them (merged with that run's values: the same results).
    `convertible`: the currencies with a rate (fx_coverage.rate_currencies), read here if not given."""
    references = {name: s.df for name, s in silver.items()}
    if convertible is None:
        convertible = fx_coverage.rate_currencies(silver["fx_rates"].df)
    if rows_appended is not None:
        report.notes.append(f"Silver gate on silver.{GATED_APPENDED}: the rows appended since the last run, merged")

    def gate(s: SilverInput) -> Callable[[], Evaluation]:
        ruleset = load_ruleset(f"silver.{s.name}")
        extras = {**_lineage_aggregates(), **fx_coverage.gate_extras(s.name, convertible)}
        this = rows_appended if s.name == GATED_APPENDED else None
        merges = _lineage_merges(convertible)
        return lambda: evaluate(
            s.df, ruleset, references=references, history=history, extras=extras, appended=this, merge_extras=merges
        )

    evaluations = run_concurrently({name: gate(s) for name, s in silver.items()})
    for evaluation in evaluations.values():
        report.add_quality(r.to_dict() for r in evaluation.results)
    check_gate([r for e in evaluations.values() for r in e.results], "Silver not promoted to Gold")
    fx_coverage.record(report, silver[fx_coverage.TABLE].df, evaluations[fx_coverage.TABLE].extras)
    return evaluations


def _sources(
    silver: Mapping[str, SilverInput], evaluations: Mapping[str, Evaluation], names: tuple[str, ...]
) -> dict[str, dict[str, Any]]:
    return {
        f"silver.{n}": {
            "path": silver[n].path,
            "version": silver[n].version,
            "rows": evaluations[n].row_count,
            "run_ids": list(evaluations[n].extras["run_ids"] or []),
            "ingest_dates": [
                str(evaluations[n].extras["first_ingest_date"]),
                str(evaluations[n].extras["last_ingest_date"]),
            ],
        }
        for n in names
    }


def _publish_gold(
    spark: SparkSession,
    lake: Lake,
    writes: Mapping[str, GoldWrite],
    silver: Mapping[str, SilverInput],
    evaluations: Mapping[str, Evaluation],
    history: History,
    report: RunReport,
) -> None:
    """Write-audit-publish: every table is committed to an audit branch, the Gold rulesets run on
    exactly those commits, and only if no blocking rule fails is each table's `main` fast-forwarded
    to its branch (atomic per table). A failure anywhere drops the branches: the last good Gold stays."""
    references = {name: s.df for name, s in silver.items()}
    lineage: dict[str, TableLineage] = {}
    staged: dict[str, storage.Staged] = {}

    def stage_and_audit(name: str, write: GoldWrite) -> Callable[[], Evaluation]:
        def task() -> Evaluation:
            table = f"gold.{name}"
            with report.timed(table):
                storage.drop_stale_audit_branches(spark, lake, table)
                staged[name] = storage.stage(spark, lake, table, write.rows, report.run_id, write.write)
                return evaluate(staged[name].read(spark), load_ruleset(table), references=references, history=history)

        return task

    try:
        # The tables are independent: staged and audited concurrently (see run_concurrently).
        audits = run_concurrently({name: stage_and_audit(name, write) for name, write in writes.items()})
        for name, audit in audits.items():
            report.add_quality(r.to_dict() for r in audit.results)
            lineage[f"gold.{name}"] = GoldLineage(
                path=staged[name].identifier,
                rows=audit.row_count,
                inputs=[silver[n].path for n in UPSTREAM[name]],
                upstream=[f"silver.{n}" for n in UPSTREAM[name]],
                sources=_sources(silver, evaluations, UPSTREAM[name]),
            )
        check_gate([r for a in audits.values() for r in a.results], "Gold not published (the last good Gold stays)")
        for name in writes:
            storage.publish(spark, staged.pop(name))
            snapshot = storage.current_snapshot_id(spark, lake, f"gold.{name}")
            lineage[f"gold.{name}"].snapshot_id = snapshot
            lineage[f"gold.{name}"].version = str(snapshot)
    finally:
        for leftover in staged.values():  # not published: its branch goes, main never saw it
            storage.discard(spark, leftover)
    report.tables.update(lineage)


def _record_unchanged(spark: SparkSession, lake: Lake, writes: Mapping[str, GoldWrite], report: RunReport) -> None:
    """Tables an increment did not need to touch: listed in the report at their current snapshot."""
    for name in UPSTREAM:
        table = f"gold.{name}"
        if name not in writes:
            snapshot_id, rows = storage.current_snapshot(spark, lake, table) or (None, 0)
            report.tables[table] = TableLineage(
                path=storage.ref(table).identifier(lake), version=str(snapshot_id), rows=rows, snapshot_id=snapshot_id
            )


def _save_state(
    lake: Lake,
    silver: Mapping[str, SilverInput],
    params: GoldParams,
    report: RunReport,
    evaluations: Mapping[str, Evaluation],
    convertible: list[str],
) -> None:
    """What this run read and published: the base the next run's increment is planned on."""
    gated = evaluations[GATED_APPENDED]
    state = incremental.GoldState(
        silver={f"silver.{n}": int(s.version) for n, s in silver.items()},
        gold={t: int(lineage.snapshot_id) for t, lineage in report.tables.items() if lineage.snapshot_id is not None},
        params=_state_params(params),
        gate={
            f"silver.{GATED_APPENDED}": {
                "convertible": convertible,
                "values": {k: _json_value(v) for k, v in gated.values.items()},
            }
        },
    )
    incremental.save_gold_state(lake, state)


def _json_value(value: Any) -> Any:
    """A gate value as the state file keeps it: numbers and lists as they are, dates as ISO text."""
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    return value if value is None or isinstance(value, int | float | str) else str(value)


def _reserve_scored_tables(spark: SparkSession, lake: Lake, report: RunReport) -> None:
    for table in RESERVED:
        _reserve(spark, lake, f"gold.{table}", report)


def _reserve(spark: SparkSession, lake: Lake, name: str, report: RunReport) -> None:
    if storage.table_exists(spark, lake, name):
        return  # scoring owns it once it exists: never overwritten here
    storage.ensure_table(spark, lake, name)  # empty, with its declared schema and partitioning
    snapshot = storage.current_snapshot_id(spark, lake, name)
    report.tables[name] = TableLineage(
        path=storage.ref(name).identifier(lake), version=str(snapshot), rows=0, snapshot_id=snapshot
    )
    report.notes.append(f"{name} did not exist: created it empty with its declared schema")


def summary(report: RunReport) -> str:
    """The report's summary plus one line per Gold table and each failed rule."""
    lines = [report.summary(), *fx_coverage.warnings(report)]
    for name, t in report.tables.items():
        lines.append(f"  {name:<34} {t.rows or 0:>10,} rows  ({t.version})")
    for q in report.quality:
        if q["outcome"] == "failed":
            lines.append(
                f"  {'WARNING' if q['severity'] == 'warning' else 'BLOCKING'}: {q['table']} {q['rule']} ({q['message']})"
            )
    return "\n".join(lines)


def run_silver_to_gold(
    spark: SparkSession,
    lake: Lake,
    params: GoldParams | None = None,
    run_id: str | None = None,
    full_refresh: bool = False,
) -> RunReport:
    """Silver -> Gold with the data-quality gate. Returns the run report (also written and printed).
    The history-sized tables are rebuilt only for what Silver appended since the last run, unless
    `full_refresh` (or the last run cannot be built on: see gold/incremental.py).

    Raises FinlakeError with a one-line message (after writing a `failed` report) when a blocking
    rule fails or a step breaks; the previously published Gold stays readable.
    """
    params = params or GoldParams()
    report = RunReport(run_id=run_id or new_run_id(), job=JOB_NAME)
    run = JobRun(lake, report, "silver-to-gold", "the last good Gold is still published", summary)
    spark.conf.set("spark.sql.session.timeZone", "UTC")  # booked_at -> booked_date/month as Silver did
    with run.guarded():
        with run.stage("reading Silver", timed="read"):
            silver = read_silver(spark, lake)
        with run.stage("checking Silver quality", timed="silver_quality"):
            history = metric_history(lake, JOB_NAME)  # earlier runs' metrics, for the row-count-change rules
            increment = plan_increment(spark, lake, silver, params, full_refresh)
            convertible = fx_coverage.rate_currencies(silver["fx_rates"].df)  # one small read, used thrice
            appended = _appended(spark, lake, increment, convertible)
            evaluations = _silver_gate(silver, history, report, convertible, appended)
        with run.stage("building Gold"):
            writes = plan_writes(spark, lake, silver, params, increment, report)
            _publish_gold(spark, lake, writes, silver, evaluations, history, report)
            _record_unchanged(spark, lake, writes, report)
        with run.stage("reserving the scored tables"):
            _reserve_scored_tables(spark, lake, report)
            _save_state(lake, silver, params, report, evaluations, convertible)
    return run.finish("succeeded")


__all__ = ["GoldParams", "build_gold", "run_silver_to_gold"]
