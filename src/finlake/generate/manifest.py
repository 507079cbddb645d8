"""What was written and what Silver should count: the generator's manifest.

Counts are given twice: as ONE run over all ingest dates would count them, and per ingest_date as
a run that processes the dates one by one, in order, would (`by_ingest_date`). In both,
`rows == written + sum(quarantine) + sum(duplicates)`.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from finlake.contracts import bronze
from finlake.contracts.model import RecordKind
from finlake.generate.dirt import Delivered
from finlake.generate.timeline import Timeline

MANIFEST_VERSION = 1


def _iso(day: int) -> str:
    return str(np.datetime64(int(day), "D"))


def _counts(d: Delivered, selected: np.ndarray) -> dict[str, object]:
    """Counts over the selected rows (a mask), as one Silver run over exactly those rows would give."""
    reason = d.reason[selected]
    duplicate = d.duplicate[selected]
    clean = (reason == "") & ~duplicate
    keys = d.table[d.entity.key].filter(pa.array(selected & (d.reason == "") & ~d.duplicate))
    distinct = len(pc.unique(keys))  # pc.unique: several times faster than count_distinct here
    quarantine = Counter(reason[reason != ""].tolist())
    if d.entity.kind is RecordKind.EVENT:
        duplicates = {"DUPLICATE_DELIVERY": int(duplicate.sum()), "SUPERSEDED": 0}
    else:
        duplicates = {"DUPLICATE_DELIVERY": 0, "SUPERSEDED": int(clean.sum()) - distinct}
    normalised = Counter(d.normalised[selected][d.normalised[selected] != ""].tolist())
    counts: dict[str, object] = {
        "rows": int(selected.sum()),
        "written": distinct,
        "quarantine": {code: int(quarantine.get(code, 0)) for code in bronze.REASONS.codes},
        "duplicates": {code: int(duplicates[code]) for code in bronze.DUPLICATE_KINDS.codes},
        "normalised": {
            "whitespace": int(normalised.get("whitespace", 0)),
            "lower_case": int(normalised.get("lower_case", 0)),
        },
    }
    assert selected.sum() == distinct + sum(quarantine.values()) + sum(duplicates.values()), d.entity.name
    return counts


def entity_counts(d: Delivered) -> dict[str, object]:
    counts = _counts(d, np.ones(d.table.num_rows, dtype=bool))
    counts["by_ingest_date"] = {_iso(day): _counts(d, d.ingest == day) for day in np.unique(d.ingest)}
    return counts


def auc(score: np.ndarray, label: np.ndarray) -> float | None:
    """Area under the ROC curve (Mann-Whitney, ties averaged); None without both classes."""
    label = label.astype(bool)
    positives, negatives = int(label.sum()), int((~label).sum())
    if not positives or not negatives:
        return None
    order = np.argsort(score, kind="stable")
    ranks = np.empty(score.size)
    sorted_scores = score[order]
    # average ranks over ties
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    average = first + (counts + 1) / 2
    ranks[order] = np.repeat(average, counts)
    return float((ranks[label].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def build_manifest(
    arguments: dict[str, object],
    timeline: Timeline,
    files: list[dict[str, object]],
    delivered: dict[str, Delivered],
    drift: list[dict[str, object]],
    loans_summary: dict[str, object],
    default_model: dict[str, object],
) -> dict[str, object]:
    return {
        "manifest_version": MANIFEST_VERSION,
        "generator": "finlake generate",
        "arguments": arguments,
        "history_start": _iso(timeline.history_start),
        "ingest_dates": [_iso(d) for d in range(timeline.start, timeline.end + 1)],
        "files": files,
        "entities": {name: entity_counts(delivered[name]) for name in bronze.ENTITY_ORDER},
        "schema_drift": drift,
        "loans": loans_summary,
        "default_model": default_model,
    }
