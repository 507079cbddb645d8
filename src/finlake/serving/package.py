"""`make package-serving`: dist/serving.zip, the scoring API's Lambda deployment package.

What the zip holds (terraform/modules/serving: runtime python3.11, handler
`finlake/serving/lambda_app.lambda_handler`, x86_64):
- the finlake modules `lambda_app` imports at runtime, found by following its imports (not all of
  finlake: no Spark, MLflow or pandas code);
- their third-party dependencies (FastAPI, Mangum and what they need, at the versions this venv
  runs) as Linux / CPython 3.11 wheels, installed by pip for that platform whatever the build
  machine is; boto3 is left out, the Lambda runtime provides it;
- `finlake/serving/model.json`: the serving version's artifact (`@serving`) from the lake's MLflow registry (or a file),
  checked loadable, so a published Lambda version pins one model version.

Reproducible like lambdas/build_package.py: sorted entries, fixed timestamps and modes, no bytecode,
so an unchanged package keeps its hash and Terraform does not redeploy.

    python -m finlake.serving.package --lake LAKE --out dist/serving.zip [--artifact model.json]
"""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

from finlake.errors import FinlakeError, UsageError
from finlake.serving.model import ScoringModel

HANDLER_MODULE = "finlake.serving.lambda_app"
REQUIREMENTS = ("fastapi", "pydantic", "mangum")  # what lambda_app imports beyond the standard library and boto3
PLATFORM = ["--platform", "manylinux2014_x86_64", "--implementation", "cp", "--python-version", "3.11"]
FIXED_TIME = (2020, 1, 1, 0, 0, 0)
_SRC = Path(__file__).resolve().parents[2]  # the directory holding the finlake package


def _module_file(name: str) -> Path | None:
    parts = name.split(".")
    for candidate in (_SRC.joinpath(*parts, "__init__.py"), _SRC.joinpath(*parts[:-1], parts[-1] + ".py")):
        if candidate.is_file():
            return candidate
    return None


def _imports(path: Path) -> Iterator[str]:
    """Every finlake module a file imports, at any depth of the file (lazy imports included)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.split(".")[0] == "finlake")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "finlake":
            yield node.module
            yield from (f"{node.module}.{a.name}" for a in node.names)  # `from finlake.serving import reasons`


def finlake_files(entry: str = HANDLER_MODULE) -> dict[str, Path]:
    """Archive name -> source file: the entry module, everything it imports, and their packages."""
    files: dict[str, Path] = {}
    pending = [entry]
    while pending:
        name = pending.pop()
        for prefix in (".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 2)):
            path = _module_file(prefix)
            if path is not None and (archive := path.relative_to(_SRC).as_posix()) not in files:
                files[archive] = path
                pending.extend(_imports(path))
    return files


def pinned_requirements() -> list[str]:
    """The runtime requirements at the versions installed here (what the tests ran against)."""
    return [f"{name}=={metadata.version(name)}" for name in REQUIREMENTS]


def install_dependencies(target: Path, requirements: list[str]) -> None:
    """pip-install Linux CPython 3.11 wheels into `target`; a one-line error if pip cannot get them."""
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile"]
    command += ["--only-binary=:all:", *PLATFORM, "--target", str(target), *requirements]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["pip failed"])[-1]
        raise FinlakeError(f"pip could not fetch the Linux wheels for {' '.join(requirements)}: {last}")


def serving_artifact(lake_root: str) -> str:
    """The JSON artifact of finlake_loan_default@serving (the champion, or the logistic regression
    trained beside a promoted gradient-boosted one) in the lake's MLflow registry."""
    from finlake.lake import Lake
    from finlake.ml.settings import DEFAULT_MODEL_NAME, SERVING_ALIAS
    from finlake.serving.registry import load_by_alias

    if not Path(lake_root).is_dir():  # MLflow would create an empty registry there
        raise UsageError(f"no lake at {lake_root}: pass --lake, or --artifact FILE")
    model = load_by_alias(Lake.local(lake_root), DEFAULT_MODEL_NAME, SERVING_ALIAS)
    return json.dumps(model.document, sort_keys=True)


def _entries(deps: Path, artifact: str) -> dict[str, bytes]:
    entries = {name: path.read_bytes() for name, path in finlake_files().items()}
    for path in deps.rglob("*"):
        relative = path.relative_to(deps)
        skipped = relative.parts[0] in ("bin", "boto3", "botocore") or "__pycache__" in relative.parts
        if path.is_file() and not skipped and path.suffix != ".pyc":
            entries[relative.as_posix()] = path.read_bytes()
    entries["finlake/serving/model.json"] = artifact.encode("utf-8")
    return entries


def build(out: Path, artifact: str) -> Path:
    """Write the zip: finlake's serving code, the Linux dependencies and the model artifact."""
    ScoringModel(json.loads(artifact))  # refuse to package an artifact the Lambda could not load
    with tempfile.TemporaryDirectory() as tmp:
        install_dependencies(Path(tmp), pinned_requirements())
        entries = _entries(Path(tmp), artifact)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".zip.tmp")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entries[name])
    partial.replace(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m finlake.serving.package", description=__doc__.splitlines()[0])
    parser.add_argument("--lake", default="lake", help="lake whose MLflow registry holds the served model")
    parser.add_argument("--artifact", help="package this model.json instead of the registry's @serving version")
    parser.add_argument("--out", default="dist/serving.zip", help="the zip to write")
    args = parser.parse_args(argv)
    try:
        if args.artifact:
            if not Path(args.artifact).is_file():
                raise UsageError(f"--artifact {args.artifact}: no such file")
            artifact = Path(args.artifact).read_text(encoding="utf-8")
        else:
            artifact = serving_artifact(args.lake)
        out = build(Path(args.out), artifact)
    except (FinlakeError, json.JSONDecodeError) as exc:
        print(f"package-serving: {exc}", file=sys.stderr)
        return 2
    print(f"built {out} ({out.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
