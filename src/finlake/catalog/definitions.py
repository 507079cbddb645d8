"""The crawler definitions in `crawlers/<layer>.yaml`, shared by Terraform and the local crawler."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from finlake.contracts.model import Layer
from finlake.errors import FinlakeError

PROJECT_DIR_ENV_VAR = "FINLAKE_PROJECT_DIR"
UPDATE_BEHAVIORS = ("LOG", "UPDATE_IN_DATABASE")
DELETE_BEHAVIORS = ("LOG", "DEPRECATE_IN_DATABASE", "DELETE_FROM_DATABASE")
RECRAWL_BEHAVIORS = ("CRAWL_EVERYTHING", "CRAWL_NEW_FOLDERS_ONLY", "CRAWL_EVENT_MODE")
# A catalog target names a table, not a folder. Locally the table is read from its folder in the lake
# with what Spark, Athena and the S3 crawlers skip anyway: markers, staging/version folders, hidden files.
CATALOG_TARGET_EXCLUSIONS = ("_*", "_*/**", "**/_*", "**/_*/**", "**/.*")


def project_dir() -> Path:
    """The repository root holding crawlers/ and athena/ (the source checkout, or $FINLAKE_PROJECT_DIR)."""
    override = os.environ.get(PROJECT_DIR_ENV_VAR)
    root = Path(override) if override else Path(__file__).resolve().parents[3]
    if not (root / "crawlers").is_dir():
        raise FinlakeError(f"no crawlers/ folder under {root}: set {PROJECT_DIR_ENV_VAR} to the finlake checkout")
    return root


@dataclass(frozen=True)
class Target:
    path: str  # relative to the layer's root, e.g. "customers/"
    exclusions: tuple[str, ...] = ()
    catalog: bool = False  # a Glue catalog target (the table the jobs register) rather than an S3 path

    @property
    def table_name(self) -> str:
        return self.path.strip("/").split("/")[-1]


@dataclass(frozen=True)
class CrawlerDefinition:
    layer: Layer
    description: str
    targets: tuple[Target, ...]
    update_behavior: str
    delete_behavior: str
    recrawl_behavior: str
    configuration: dict[str, Any]

    @property
    def table_names(self) -> list[str]:
        return [t.table_name for t in self.targets]


def _choice(value: object, allowed: tuple[str, ...], what: str, source: Path) -> str:
    if value not in allowed:
        raise FinlakeError(f"{source}: {what} is {value!r}, expected one of {', '.join(allowed)}")
    return str(value)


def load_crawler(layer: Layer | str, crawlers_dir: Path | None = None) -> CrawlerDefinition:
    source = (crawlers_dir or project_dir() / "crawlers") / f"{Layer(layer)}.yaml"
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise FinlakeError(f"cannot read crawler definition {source}: {exc}") from None
    policy = raw.get("schema_change_policy") or {}
    recrawl = (raw.get("recrawl_policy") or {}).get("recrawl_behavior", "CRAWL_EVERYTHING")
    definition = CrawlerDefinition(
        layer=Layer(raw["layer"]),
        description=str(raw.get("description", "")).strip(),
        targets=_targets(raw, source),
        update_behavior=_choice(policy.get("update_behavior"), UPDATE_BEHAVIORS, "update_behavior", source),
        delete_behavior=_choice(policy.get("delete_behavior"), DELETE_BEHAVIORS, "delete_behavior", source),
        recrawl_behavior=_choice(recrawl, RECRAWL_BEHAVIORS, "recrawl_behavior", source),
        configuration=dict(raw.get("configuration") or {}),
    )
    if definition.layer != Layer(layer):
        raise FinlakeError(f"{source}: layer is {definition.layer}, expected {Layer(layer)}")
    if any(t.catalog for t in definition.targets) and definition.delete_behavior != "LOG":
        raise FinlakeError(f"{source}: catalog_targets need delete_behavior LOG (a Glue rule)")
    return definition


def _targets(raw: dict[str, Any], source: Path) -> tuple[Target, ...]:
    """S3 `targets` (folders) or `catalog_targets` (tables the jobs register), exactly one of them."""
    paths, tables = raw.get("targets") or [], raw.get("catalog_targets") or []
    if bool(paths) == bool(tables):
        raise FinlakeError(f"{source}: give either targets (S3 paths) or catalog_targets (tables), not both or neither")
    if tables:
        return tuple(Target(f"{t['table']}/", CATALOG_TARGET_EXCLUSIONS, catalog=True) for t in tables)
    return tuple(Target(t["path"], tuple(t.get("exclusions") or ())) for t in paths)


def load_crawlers(crawlers_dir: Path | None = None) -> list[CrawlerDefinition]:
    """Every crawlers/<layer>.yaml there is (Terraform deploys the same set: fileset "*.yaml")."""
    folder = crawlers_dir or project_dir() / "crawlers"
    return [load_crawler(layer, crawlers_dir) for layer in Layer if (folder / f"{layer}.yaml").is_file()]
