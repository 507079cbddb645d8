"""Where a Spark job spends its time, from its event log: one line per SQL execution (action).

    PYSPARK_SUBMIT_ARGS="--conf spark.eventLog.enabled=true --conf spark.eventLog.dir=file:///tmp/ev pyspark-shell" \\
        finlake bronze-to-silver --full-refresh
    python -m finlake.bench.spark_profile /tmp/ev/local-*

Each action (a write, a count, a collect, a `first()`) is one SQL execution: its wall time, how many
stages and tasks it ran, and the bytes it shuffled. Many executions over little data point at
needless actions; many tasks or big shuffles at the plan.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Execution:
    id: int
    description: str
    start: int = 0
    end: int = 0
    jobs: int = 0
    stages: set[int] = field(default_factory=set)
    tasks: int = 0
    shuffle_write: int = 0
    cpu_ns: int = 0  # executors' CPU time: barely moved by other processes, unlike wall time
    plan: str = ""

    @property
    def seconds(self) -> float:
        return (self.end - self.start) / 1000 if self.end else 0.0


def read_events(path: str) -> list[dict[str, Any]]:
    events = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                events.append(json.loads(line))
            except ValueError:  # the last line of a log still being written
                break
    return events


def executions(events: list[dict[str, Any]]) -> list[Execution]:
    execs: dict[int, Execution] = {}
    stage_exec: dict[int, int] = {}
    for e in events:
        kind = e["Event"]
        if kind.endswith("SQLExecutionStart"):
            execs[e["executionId"]] = Execution(
                e["executionId"], e.get("description", ""), start=e["time"], plan=e.get("physicalPlanDescription", "")
            )
        elif kind.endswith("SQLExecutionEnd") and e["executionId"] in execs:
            execs[e["executionId"]].end = e["time"]
        elif kind == "SparkListenerJobStart":
            exec_id = (e.get("Properties") or {}).get("spark.sql.execution.id")
            if exec_id is not None and int(exec_id) in execs:
                x = execs[int(exec_id)]
                x.jobs += 1
                for s in e.get("Stage IDs", []):
                    x.stages.add(s)
                    stage_exec[s] = x.id
        elif kind == "SparkListenerTaskEnd" and e.get("Stage ID") in stage_exec:
            x = execs[stage_exec[e["Stage ID"]]]
            x.tasks += 1
            metrics = e.get("Task Metrics") or {}
            x.shuffle_write += (metrics.get("Shuffle Write Metrics") or {}).get("Shuffle Bytes Written", 0)
            x.cpu_ns += metrics.get("Executor CPU Time", 0)
    return sorted(execs.values(), key=lambda x: x.id)


def summary(execs: list[Execution]) -> str:
    lines = [
        f"{'id':>4} {'seconds':>8} {'cpu s':>6} {'jobs':>4} {'stages':>6} {'tasks':>6} {'shuffle MiB':>11}  action"
    ]
    for x in execs:
        lines.append(
            f"{x.id:>4} {x.seconds:>8.1f} {x.cpu_ns / 1e9:>6.1f} {x.jobs:>4} {len(x.stages):>6} {x.tasks:>6} "
            f"{x.shuffle_write / 2**20:>11.1f}  {x.description[:90]}"
        )
    by_kind: dict[str, float] = defaultdict(float)
    for x in execs:
        by_kind[x.description.split(" at ")[0]] += x.seconds
    total = sum(x.seconds for x in execs)
    cpu = sum(x.cpu_ns for x in execs) / 1e9
    lines.append(f"{len(execs)} actions, {total:.1f}s inside actions, {cpu:.1f}s executor CPU; by kind: "
                 + ", ".join(f"{k} {v:.1f}s" for k, v in sorted(by_kind.items(), key=lambda kv: -kv[1])))  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    for path in argv:
        print(path)
        print(summary(executions(read_events(path))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
