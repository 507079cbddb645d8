"""The benchmark result as markdown: the tables written into docs/benchmarks.md between its markers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

BEGIN, END = "<!-- bench:results -->", "<!-- /bench:results -->"
STAGE_LABELS = {
    "generate": "generate (Bronze CSV)",
    "bronze_to_silver": "Bronze → Silver (full refresh)",
    "silver_to_gold": "Silver → Gold",
    "floor_spark_copy": "floor: plain Spark CSV → Parquet",
    "duckdb_peer": "peer: DuckDB dedupe + loan summary",
}
TARGETS = {
    "pipeline_over_floor": 2.5,
    "incremental": 1.2,
    "compliance_share": 0.10,
    "warm_make_run_seconds": 90,  # issue 18 (was 180 before it)
}


def _mib(x: float | None) -> str:
    return "–" if x is None else f"{x:,.0f}"


def _int(x: Any) -> str:
    return "–" if x is None else f"{int(x):,}"


def _verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def machine_md(m: dict[str, Any], settings: dict[str, Any]) -> list[str]:
    return [
        f"- Machine: {m['logical_cores']} logical cores ({m['cpu_model']}), {m['memory_gib']} GiB RAM, "
        f"{m['os']} (kernel {m['kernel']})",
        f"- Python {m['python']}, {m['java']}, Spark {m['spark']} (driver memory {m['spark_driver_memory']}), "
        f"DuckDB {m['duckdb']}",
        f"- Load average (1/5/15 min) at start {m['load_average_at_start']}, at end {m.get('load_average_at_end')}"
        " — the machine is shared; a load above the core count inflates every figure.",
        f"- Every figure is the median of {settings['runs']} runs, each in a fresh process "
        "(peak memory = largest sampled RSS sum of the process tree, Python + JVM).",
    ]


def throughput_md(scales: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| transactions | stage | median s (min–max) | Bronze rows/s | peak MiB | of it anonymous |",
        "| ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for sc in scales:
        t = sc.get("throughput")
        if not t:
            continue
        tx = sc["bronze_rows"].get("transactions", 0)
        for name, s in t["stages"].items():
            lines.append(
                f"| {tx:,} | {STAGE_LABELS.get(name, name)} | {s['seconds']:.1f} ({s['seconds_min']:.1f}–{s['seconds_max']:.1f}) "
                f"| {s['bronze_rows_per_second'] or 0:,} | {_mib(s['peak_rss_mib'])} | {_mib(s.get('peak_anon_mib') or None)} |"
            )
    lines += ["", "| transactions | pipeline s (Silver + Gold) | ÷ floor (target ≤ 2.5) | ÷ DuckDB peer | Silver ÷ floor |",
              "| ---: | ---: | ---: | ---: | ---: |"]  # fmt: skip
    for sc in scales:
        t = sc.get("throughput")
        if t:
            lines.append(
                f"| {sc['bronze_rows'].get('transactions', 0):,} | {t['pipeline_seconds']:.1f} | "
                f"{t['pipeline_over_floor']:.2f} ({_verdict(t['pipeline_over_floor'] <= TARGETS['pipeline_over_floor'])}) | "
                f"{t['pipeline_over_duckdb']:.1f} | {t['silver_over_floor']:.2f} |"
            )
    return lines


def incremental_md(inc: dict[str, Any]) -> list[str]:
    lines = [
        f"One new day ({inc['new_day']}) for {inc['customers']:,} customers on top of each history:",
        "",
        "| history | Silver transactions | Bronze → Silver for the day, s | Silver → Gold after it, s |",
        "| --- | ---: | ---: | ---: |",
    ]
    for label, h in inc["histories"].items():
        lines.append(
            f"| {label} | {h['silver_transactions_rows']:,} | {h['bronze_to_silver_day']['seconds']:.1f} "
            f"| {h['silver_to_gold_after_day']['seconds']:.1f} |"
        )
    ratio, gold = inc["silver_day_long_over_short"], inc["gold_long_over_short"]
    lines += [
        "",
        f"Silver day, long ÷ short: **{ratio:.2f}** (target ≤ 1.2: {_verdict(ratio <= TARGETS['incremental'])}); "
        f"Gold after the day, long ÷ short: **{gold:.2f}** (target ≤ 1.2: {_verdict(gold <= TARGETS['incremental'])}).",
    ]
    return lines


def queries_md(scales: list[dict[str, Any]]) -> list[str]:
    sc = next((s for s in reversed(scales) if s.get("queries")), None)
    if sc is None:
        return []
    q = sc["queries"]
    lines = [
        f"On the {sc['bronze_rows'].get('transactions', 0):,}-transaction lake (engine set-up "
        f"{q['engine_setup_seconds']:.2f}s, then the median of the runs):",
        "",
        "| query | params | median s | files read / table files | bytes read | share of its tables | share of silver.transactions |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in q["queries"].items():
        if "error" in r:
            lines.append(f"| {name} | | error: {r['error'][:100]} | | | | |")
            continue
        params = ", ".join(f"{k}={v}" for k, v in r["params"].items())
        share = "–" if r["share_of_tables"] is None else f"{r['share_of_tables']:.1%}"
        tx = "–" if r["share_of_silver_transactions"] is None else f"{r['share_of_silver_transactions']:.2%}"
        lines.append(
            f"| {name} | {params} | {r['seconds']:.3f} | {r['files_read']} / {r['table_files']} "
            f"| {r['bytes_read']:,} | {share} | {tx} |"
        )
    return lines


def model_md(scales: list[dict[str, Any]]) -> list[str]:
    lines = ["| transactions | train median s | peak MiB | test ROC-AUC | best possible | ratio | observable best | ratio (95% CI) | test loans (defaults) |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]  # fmt: skip
    for sc in scales:
        m = sc.get("model")
        if not m:
            continue
        if "error" in m:
            lines.append(f"| {sc['bronze_rows'].get('transactions', 0):,} | error: {m['error'][:120]} | | | | | | | |")
            continue

        def f(x: Any) -> str:
            return "–" if x is None else f"{x:.3f}"

        lines.append(
            f"| {sc['bronze_rows'].get('transactions', 0):,} | {m['train']['seconds']:.1f} | {_mib(m['train']['peak_rss_mib'])} "
            f"| {f(m['roc_auc'])} | {f(m['best_possible_roc_auc'])} | {f(m['ratio'])} "
            f"| {f(m.get('observable_best_roc_auc'))} | {_observable_ratio(m)} | {_int(m['test_loans'])} ({_int(m['test_defaults'])}) |"
        )
    return lines


def _observable_ratio(m: dict[str, Any]) -> str:
    ratio, (low, high) = m.get("ratio_to_observable"), m.get("ratio_to_observable_ci95") or (None, None)
    if ratio is None:
        return "–"
    return f"{ratio:.3f}" + (f" ({low:.3f}–{high:.3f})" if low is not None and high is not None else "")


def cold_md(c: dict[str, Any]) -> list[str]:
    warm = c["warm"]["seconds"]
    return [
        f"Fresh `git clone` of commit {c['commit']}, then `make run` (default scale):",
        "",
        "| | s | peak MiB |",
        "| --- | ---: | ---: |",
        f"| cold: clone + venv + install + pipeline (1 run) | {c['cold_seconds']:.0f} | {_mib(c['cold_peak_rss_mib'])} |",
        f"| warm: venv kept, lake removed (1 run) | {warm:.0f} | {_mib(c['warm']['peak_rss_mib'])} |",
        f"| again on the same lake: generate skips, Silver has nothing new (1 run) | {c['rerun_same_lake']['seconds']:.0f} | {_mib(c['rerun_same_lake']['peak_rss_mib'])} |",
        "",
        f"Warm target < {TARGETS['warm_make_run_seconds']} s: {_verdict(warm < TARGETS['warm_make_run_seconds'])}.",
    ]


def to_markdown(result: dict[str, Any], json_name: str) -> str:
    scales = result.get("scales", [])
    parts = [f"Run {result['date']} at commit {result['commit']} (raw figures: `bench/results/{json_name}`), "
             f"{result['total_seconds'] / 60:.0f} min in all.", ""]  # fmt: skip
    parts += machine_md(result["machine"], result["settings"])
    for run in result.get("runs", []):
        parts.append(
            f"- Part(s) {', '.join(run['parts'])}: run {run['date']} at commit {run['commit']}, "
            f"{run['settings']['runs']} runs per figure, load average at start/end {run['load_average']}"
        )
    if any(s.get("throughput") for s in scales):
        parts += ["", "### Throughput and baselines", "", *throughput_md(scales)]
    if result.get("incremental"):
        parts += ["", "### Incremental cost", "", *incremental_md(result["incremental"])]
    if any(s.get("queries") for s in scales):
        parts += ["", "### Query cost (local engine)", "", *queries_md(scales)]
    if any(s.get("model") for s in scales):
        parts += ["", "### Model", "", *model_md(scales)]
    if result.get("cold_start"):
        parts += ["", "### Cold start", "", *cold_md(result["cold_start"])]
    return "\n".join(parts) + "\n"


def write_markdown(doc: Path, block: str) -> None:
    """Replace what is between the markers (or append them); the prose around them is kept."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    fenced = f"{BEGIN}\n{block}{END}"
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _: fenced, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n## Latest results\n\n" + fenced + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text, encoding="utf-8")
