"""The training settings: every default in one place, and the one parser of their text form.

`finlake train`, the training notebook (widgets / command-line flags) and the scheduled Databricks job
all start from these defaults; the notebook shows them as its widgets' initial values via
`default_parameters()` and turns the widget values back into `TrainingSettings` with
`settings_from_parameters()`. This module imports nothing heavy (no Spark, no MLflow), so a notebook's
first cell can import it before a session exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from finlake.errors import UsageError

DEFAULT_MODEL_NAME = "finlake_loan_default"
DEFAULT_ALIAS = "champion"
# The version the real-time API serves: the logistic regression of the run that set the champion.
# It equals the champion unless a gradient-boosted challenger was promoted, which the API cannot serve
# (its JSON scorer and reason codes are a logistic regression's); batch scoring then uses the GBT.
SERVING_ALIAS = "serving"
DEFAULT_EXPERIMENT = "finlake-loan-default"
DEFAULT_TEST_FRACTION = 0.25
DEFAULT_CV_FOLDS = 3
DEFAULT_SEED = 42
# Regularisation strengths searched by cross-validation. The earlier grid (0.001..0.2) had CV pick its
# edge (0.2), so it now spans 0.003..1 in ~x3 steps. Each strength is tried as ridge (mixing 0: keeps
# every feature, the coefficient table stays complete) and as elastic net (0.5: may zero weak ones).
DEFAULT_REG_GRID = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
DEFAULT_ELASTIC_NET_GRID = (0.0, 0.5)
# A loan is labelled only once it has had this long to default (ml/labels.py), unless the data's
# source declares its own minimum (the generator's manifest) or the settings name one.
DEFAULT_MIN_LOAN_AGE_DAYS = 365


@dataclass(frozen=True)
class TrainingSettings:
    model_name: str = DEFAULT_MODEL_NAME
    alias: str = DEFAULT_ALIAS
    experiment: str = DEFAULT_EXPERIMENT
    test_fraction: float = DEFAULT_TEST_FRACTION
    cv_folds: int = DEFAULT_CV_FOLDS
    seed: int = DEFAULT_SEED
    reg_grid: tuple[float, ...] = DEFAULT_REG_GRID
    elastic_net_grid: tuple[float, ...] = DEFAULT_ELASTIC_NET_GRID
    repeated_cv: tuple[int, int] | None = None  # (repeats, folds): also estimate AUC by repeated CV
    min_loan_age_days: int | None = None  # label rule (ml/labels.py); None: the source's, else one year
    challenger: bool = True  # also train the gradient-boosted challenger (ml/challenger.py)


def parse_repeated_cv(text: str | None) -> tuple[int, int] | None:
    """'5x5' -> (5, 5); empty -> None (no repeated CV)."""
    if not text:
        return None
    repeats, sep, folds = text.lower().partition("x")
    if not sep or not repeats.isdigit() or not folds.isdigit() or int(repeats) < 1 or int(folds) < 2:
        raise UsageError(f"--repeated-cv expects REPEATSxFOLDS such as 5x5, got {text!r}")
    return int(repeats), int(folds)


def format_grid(grid: tuple[float, ...]) -> str:
    return ",".join(map(str, grid))


def parse_grid(text: str, name: str) -> tuple[float, ...]:
    """'0.01,0.1' -> (0.01, 0.1); one line naming the setting for anything else."""
    try:
        grid = tuple(float(x) for x in text.split(","))
    except ValueError:
        raise UsageError(f"{name} expects comma-separated numbers such as 0.01,0.1, got {text!r}") from None
    if any(value < 0 for value in grid):
        raise UsageError(f"{name} values must be 0 or more, got {text!r}")
    return grid


def _number(text: str, name: str, kind: type[int] | type[float]) -> int | float:
    try:
        return kind(text)
    except ValueError:
        raise UsageError(f"{name} expects {'an integer' if kind is int else 'a number'}, got {text!r}") from None


def default_parameters() -> dict[str, str]:
    """The settings a notebook exposes, as widget text (widgets hold strings), at their defaults."""
    return {
        "model_name": DEFAULT_MODEL_NAME,
        "alias": DEFAULT_ALIAS,
        "test_fraction": str(DEFAULT_TEST_FRACTION),
        "cv_folds": str(DEFAULT_CV_FOLDS),
        "reg_grid": format_grid(DEFAULT_REG_GRID),
        "seed": str(DEFAULT_SEED),
        "repeated_cv": "",  # e.g. 5x5 on a small loan book
        "min_loan_age_days": "",  # empty: the source's declared minimum, else one year
    }


def settings_from_parameters(params: Mapping[str, str]) -> TrainingSettings:
    """TrainingSettings from widget / flag text; a missing or empty entry keeps its default."""
    text = {**default_parameters(), **{k: v for k, v in params.items() if v is not None}}
    min_age = text["min_loan_age_days"]
    return TrainingSettings(
        model_name=text["model_name"] or DEFAULT_MODEL_NAME,
        alias=text["alias"] or DEFAULT_ALIAS,
        test_fraction=float(_number(text["test_fraction"] or str(DEFAULT_TEST_FRACTION), "test_fraction", float)),
        cv_folds=int(_number(text["cv_folds"] or str(DEFAULT_CV_FOLDS), "cv_folds", int)),
        reg_grid=parse_grid(text["reg_grid"], "reg_grid") if text["reg_grid"] else DEFAULT_REG_GRID,
        seed=int(_number(text["seed"] or str(DEFAULT_SEED), "seed", int)),
        repeated_cv=parse_repeated_cv(text["repeated_cv"]),
        min_loan_age_days=int(_number(min_age, "min_loan_age_days", int)) if min_age else None,
    )
