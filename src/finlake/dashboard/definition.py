"""The risk dashboard's definition (quicksight/dashboard.yaml), loaded and checked.

The same file drives the QuickSight module (terraform/modules/quicksight reads it with `yamldecode`)
and the local HTML page, so everything the page shows is named here: which view each visual reads,
which columns, and how they are aggregated. Every mistake in the file is reported as one line naming
the file and the visual.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from finlake.errors import FinlakeError

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFINITION_FILE = REPO_ROOT / "quicksight" / "dashboard.yaml"
VIEWS_DIR = REPO_ROOT / "athena" / "views"

VISUAL_TYPES = ("kpi", "bar", "line", "table")
COLUMN_TYPES = ("STRING", "INTEGER", "DECIMAL", "DATETIME")
NUMERIC_TYPES = ("INTEGER", "DECIMAL")
# Which aggregations QuickSight accepts for a column of each type (numerical, categorical, date measures).
AGGREGATIONS: dict[str, tuple[str, ...]] = {
    "INTEGER": ("SUM", "AVERAGE", "MIN", "MAX", "COUNT", "DISTINCT_COUNT"),
    "DECIMAL": ("SUM", "AVERAGE", "MIN", "MAX", "COUNT", "DISTINCT_COUNT"),
    "STRING": ("COUNT", "DISTINCT_COUNT"),
    "DATETIME": ("MIN", "MAX", "COUNT", "DISTINCT_COUNT"),
}
GRANULARITIES = ("MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR")
FORMATS = ("money", "percent", "probability", "count")
GRID_COLUMNS = 36  # QuickSight's grid layout is 36 columns wide
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
_VISUAL_ID = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class Field:
    """One column a visual reads, with its aggregation (measures) or time granularity (dimensions)."""

    column: str
    aggregation: str | None = None
    granularity: str | None = None
    label: str | None = None

    @property
    def alias(self) -> str:
        """The result column's name: the view column, suffixed by the aggregation for measures."""
        return f"{self.column}__{self.aggregation.lower()}" if self.aggregation else self.column

    @property
    def display(self) -> str:
        return self.label or self.column.replace("_", " ")


@dataclass(frozen=True)
class Sort:
    column: str
    direction: str  # ASC | DESC


@dataclass(frozen=True)
class Layout:
    col: int
    row: int
    width: int
    height: int


@dataclass(frozen=True)
class Dataset:
    key: str
    view: str  # athena/views/<view>.sql creates ${gold_db}.<view>
    columns: dict[str, str]  # view column -> QuickSight type, in the view's order


@dataclass(frozen=True)
class Visual:
    id: str
    type: str
    title: str
    dataset: str
    group_by: tuple[Field, ...]
    color_by: Field | None
    values: tuple[Field, ...]
    columns: tuple[Field, ...]  # unaggregated tables only
    sort: Sort | None
    orientation: str
    format: str
    formats: dict[str, str]
    layout: Layout

    @property
    def dimensions(self) -> tuple[Field, ...]:
        return self.group_by + ((self.color_by,) if self.color_by else ())

    @property
    def fields(self) -> tuple[Field, ...]:
        return self.dimensions + self.values + self.columns

    @property
    def view_columns(self) -> frozenset[str]:
        return frozenset(f.column for f in self.fields)

    @property
    def aggregated(self) -> bool:
        return not self.columns

    def format_of(self, column: str) -> str:
        return self.formats.get(column, self.format)


@dataclass(frozen=True)
class Dashboard:
    id: str
    name: str
    sheet_id: str
    sheet_name: str
    description: str
    datasets: dict[str, Dataset]
    visuals: tuple[Visual, ...]
    source: Path

    def dataset_of(self, visual: Visual) -> Dataset:
        return self.datasets[visual.dataset]


def load_definition(path: str | Path | None = None) -> Dashboard:
    """Read and check the dashboard definition (default: quicksight/dashboard.yaml in the repository)."""
    source = Path(path) if path else DEFINITION_FILE
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FinlakeError(f"cannot read the dashboard definition {source}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise FinlakeError(f"{source}: not valid YAML ({str(exc).splitlines()[0]})") from None
    where = str(source)
    top = _mapping(raw, where)
    head = _mapping(top.get("dashboard"), f"{where}: dashboard")
    datasets = {k: _dataset(k, v, f"{where}: dataset {k!r}") for k, v in _mapping(top.get("datasets"), where).items()}
    visuals = tuple(_visual(v, datasets, where) for v in _sequence(top.get("visuals"), f"{where}: visuals"))
    _check_unique([v.id for v in visuals], f"{where}: visual ids")
    return Dashboard(
        id=_text(head, "id", f"{where}: dashboard"),
        name=_text(head, "name", f"{where}: dashboard"),
        sheet_id=_text(head, "sheet_id", f"{where}: dashboard"),
        sheet_name=_text(head, "sheet_name", f"{where}: dashboard"),
        description=str(head.get("description", "")),
        datasets=datasets,
        visuals=visuals,
        source=source,
    )


def _dataset(key: str, raw: Any, where: str) -> Dataset:
    spec = _mapping(raw, where)
    view = _text(spec, "view", where)
    if not _IDENTIFIER.match(key) or not _IDENTIFIER.match(view):
        raise FinlakeError(f"{where}: dataset keys and view names must be lower_snake_case")
    columns = {str(c): str(t) for c, t in _mapping(spec.get("columns"), f"{where}: columns").items()}
    for column, qs_type in columns.items():
        if not _IDENTIFIER.match(column):
            raise FinlakeError(f"{where}: column {column!r} is not lower_snake_case")
        if qs_type not in COLUMN_TYPES:
            raise FinlakeError(f"{where}: column {column!r} has type {qs_type!r}, expected one of {COLUMN_TYPES}")
    return Dataset(key=key, view=view, columns=columns)


def _visual(raw: Any, datasets: dict[str, Dataset], file: str) -> Visual:
    spec = _mapping(raw, f"{file}: visual")
    visual_id = _text(spec, "id", f"{file}: visual")
    where = f"{file}: visual {visual_id!r}"
    if not _VISUAL_ID.match(visual_id):
        raise FinlakeError(f"{where}: ids are lower-case words joined by '-'")
    kind = _choice(spec.get("type"), VISUAL_TYPES, f"{where}: type")
    dataset = datasets.get(str(spec.get("dataset")))
    if dataset is None:
        raise FinlakeError(f"{where}: dataset {spec.get('dataset')!r} is not declared under datasets")
    visual = Visual(
        id=visual_id,
        type=kind,
        title=_text(spec, "title", where),
        dataset=dataset.key,
        group_by=tuple(_field(f, dataset, where, "group_by") for f in _sequence(spec.get("group_by", []), where)),
        color_by=_field(spec["color_by"], dataset, where, "color_by") if spec.get("color_by") else None,
        values=tuple(_field(f, dataset, where, "values") for f in _sequence(spec.get("values", []), where)),
        columns=tuple(Field(column=_column(c, dataset, where)) for c in _sequence(spec.get("columns", []), where)),
        sort=_sort(spec.get("sort"), where),
        orientation=_choice(spec.get("orientation", "VERTICAL"), ("VERTICAL", "HORIZONTAL"), f"{where}: orientation"),
        format=_choice(spec.get("format", "count"), FORMATS, f"{where}: format"),
        formats={str(c): _choice(f, FORMATS, f"{where}: formats") for c, f in (spec.get("formats") or {}).items()},
        layout=_layout(spec.get("layout"), where),
    )
    _check_shape(visual, where)
    return visual


def _field(raw: Any, dataset: Dataset, where: str, well: str) -> Field:
    spec = _mapping(raw, f"{where}: {well}")
    column = _column(spec.get("column"), dataset, f"{where}: {well}")
    qs_type = dataset.columns[column]
    aggregation = spec.get("aggregation")
    if well == "values":
        aggregation = _choice(aggregation, AGGREGATIONS[qs_type], f"{where}: aggregation of {column} ({qs_type})")
    elif aggregation is not None:
        raise FinlakeError(f"{where}: {well} column {column!r} cannot have an aggregation")
    granularity = spec.get("granularity")
    if granularity is not None:
        if qs_type != "DATETIME":
            raise FinlakeError(f"{where}: granularity is only for DATETIME columns, not {column!r}")
        granularity = _choice(granularity, GRANULARITIES, f"{where}: granularity")
    label = spec.get("label")
    return Field(column=column, aggregation=aggregation, granularity=granularity, label=str(label) if label else None)


def _column(raw: Any, dataset: Dataset, where: str) -> str:
    if raw not in dataset.columns:
        raise FinlakeError(f"{where}: column {raw!r} is not a column of dataset {dataset.key!r} ({dataset.view})")
    return str(raw)


def _sort(raw: Any, where: str) -> Sort | None:
    if raw is None:
        return None
    spec = _mapping(raw, f"{where}: sort")
    return Sort(
        column=_text(spec, "column", f"{where}: sort"),
        direction=_choice(spec.get("direction"), ("ASC", "DESC"), f"{where}: sort"),
    )


def _layout(raw: Any, where: str) -> Layout:
    spec = _mapping(raw, f"{where}: layout")
    try:
        layout = Layout(**{k: int(spec[k]) for k in ("col", "row", "width", "height")})
    except (KeyError, TypeError, ValueError):
        raise FinlakeError(f"{where}: layout needs whole numbers col, row, width and height") from None
    if layout.col < 0 or layout.row < 0 or layout.width < 1 or layout.col + layout.width > GRID_COLUMNS:
        raise FinlakeError(f"{where}: layout does not fit the {GRID_COLUMNS}-column grid")
    if not 1 <= layout.height <= 21:  # QuickSight's limit for a grid element's row span
        raise FinlakeError(f"{where}: layout height must be between 1 and 21 rows")
    return layout


def _check_shape(v: Visual, where: str) -> None:
    if v.type == "table" and bool(v.columns) == bool(v.values):
        raise FinlakeError(f"{where}: a table has either `columns` (rows as they are) or `group_by` + `values`")
    if v.type != "table" and (v.columns or not v.values):
        raise FinlakeError(f"{where}: a {v.type} visual needs `values` and no `columns`")
    if v.type == "kpi" and (v.dimensions or len(v.values) != 1):
        raise FinlakeError(f"{where}: a kpi shows exactly one value and no group_by")
    if v.type in ("bar", "line") and len(v.group_by) != 1:
        raise FinlakeError(f"{where}: a {v.type} chart has exactly one group_by column")
    if v.color_by and (v.type != "bar" or len(v.values) != 1):
        raise FinlakeError(f"{where}: color_by is for bar charts with one value")
    if v.sort and v.sort.column not in v.view_columns:
        raise FinlakeError(f"{where}: sort column {v.sort.column!r} is not one of the visual's columns")
    unknown = set(v.formats) - v.view_columns
    if unknown:
        raise FinlakeError(f"{where}: formats name columns the visual does not read: {sorted(unknown)}")


def _check_unique(ids: list[str], where: str) -> None:
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise FinlakeError(f"{where}: duplicated {duplicates}")


def _mapping(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise FinlakeError(f"{where}: expected a mapping, got {type(raw).__name__}")
    return raw


def _sequence(raw: Any, where: str) -> list[Any]:
    if not isinstance(raw, list):
        raise FinlakeError(f"{where}: expected a list, got {type(raw).__name__}")
    return raw


def _text(spec: dict[str, Any], key: str, where: str) -> str:
    value = spec.get(key)
    if not isinstance(value, str) or not value.strip():
        raise FinlakeError(f"{where}: `{key}` is required (text)")
    return value


def _choice(value: Any, allowed: tuple[str, ...], where: str) -> str:
    if value not in allowed:
        raise FinlakeError(f"{where}: {value!r} is not one of {', '.join(allowed)}")
    return str(value)
