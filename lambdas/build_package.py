"""Build a Lambda's zip reproducibly (fixed timestamps and order), so an unchanged function keeps
its source_code_hash and Terraform does not redeploy it.

    python lambdas/build_package.py high_risk_alert dist/high_risk_alert.zip
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# What each function's zip holds: archive name -> file in the repository.
PACKAGES: dict[str, dict[str, Path]] = {
    "high_risk_alert": {
        "handler.py": REPO / "lambdas/high_risk_alert/handler.py",
        "high_risk_new_entrants.sql": REPO / "athena/high_risk_new_entrants.sql",
        "loans_whose_risk_rose.sql": REPO / "athena/loans_whose_risk_rose.sql",
        "finlake/__init__.py": REPO / "src/finlake/__init__.py",
        "finlake/alerting.py": REPO / "src/finlake/alerting.py",
    },
    "transaction_monitor": {
        "handler.py": REPO / "lambdas/transaction_monitor/handler.py",
        **{
            f"finlake/{name}": REPO / "src/finlake" / name
            for name in (
                "__init__.py",
                # the contracts are pure declarations (standard library only) that import each other: all of them
                *sorted(f"contracts/{f.name}" for f in (REPO / "src/finlake/contracts").glob("*.py")),
                *(f"stream/{m}.py" for m in ("__init__", "validation", "bursts", "monitor", "handler", "aws", "tick")),
            )
        },
    },
}
FIXED_TIME = (2020, 1, 1, 0, 0, 0)


def build(function: str, out: Path) -> Path:
    files = PACKAGES[function]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name].read_bytes())
    tmp.replace(out)
    return out


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in PACKAGES:
        sys.exit(f"usage: build_package.py {{{','.join(PACKAGES)}}} OUT.zip")
    print(f"built {build(sys.argv[1], Path(sys.argv[2]))}")
