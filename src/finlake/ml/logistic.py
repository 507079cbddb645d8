"""MLlib's weighted, elastic-net logistic regression solved on the driver, for the cross-validation.

A CV fit on a few thousand loans is latency-bound in Spark: every L-BFGS iteration is a Spark job
(~20 ms of scheduling for microseconds of arithmetic), and the 36 fits of a search were ~1,400 jobs.
Here the same convex problem is solved in memory. What MLlib minimises with `standardization=False`
(the vectors are already standardised by the pipeline) is, over coefficients b and intercept c,

    sum_i w_i * logloss(y_i, x_i.b + c) / sum_i w_i  +  reg * ((1 - l1) / 2 * |b|^2 + l1 * |b|_1)

with the coefficient of a feature that is constant in the training rows held at 0 (MLlib's zero
standard deviation rule). The L1 part is made smooth by splitting b = b_pos - b_neg with both
non-negative, so scipy's bounded L-BFGS-B solves it exactly; with l1 > 0 the problem is strictly
convex (l1 < 1) and both solvers reach the same optimum (tests/ml/test_logistic.py fits both)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit, log1p

# Far tighter than MLlib's tol=1e-5 on the loss, so the differences left are MLlib's, not ours.
GRADIENT_TOLERANCE = 1e-9
MAX_ITERATIONS = 15_000


@dataclass(frozen=True)
class Logistic:
    coefficients: np.ndarray
    intercept: float

    def margin(self, x: np.ndarray) -> np.ndarray:
        return x @ self.coefficients + self.intercept


def _objective(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float, l1: float):
    p = x.shape[1]
    share = w / w.sum()

    def value_and_gradient(theta: np.ndarray) -> tuple[float, np.ndarray]:
        b = theta[:p] - theta[p : 2 * p]
        margin = x @ b + theta[-1]
        # logloss = log(1 + e^m) - y m, written to stay finite for large |m|
        loss = share @ (np.maximum(margin, 0) + log1p(np.exp(-np.abs(margin))) - y * margin)
        residual = share * (expit(margin) - y)
        grad_b = x.T @ residual + l2 * b
        value = loss + 0.5 * l2 * b @ b + l1 * theta[: 2 * p].sum()
        return float(value), np.concatenate([grad_b + l1, -grad_b + l1, [residual.sum()]])

    return value_and_gradient


def fit_logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, reg: float, l1_ratio: float) -> Logistic:
    """The weighted logistic regression MLlib fits with regParam=reg, elasticNetParam=l1_ratio."""
    p = x.shape[1]
    constant = np.ptp(x, axis=0) == 0 if len(x) else np.ones(p, dtype=bool)
    free = (0.0, None)
    bounds = [(0.0, 0.0) if c else free for c in constant] * 2 + [(None, None)]
    result = minimize(
        _objective(x, y.astype(float), w.astype(float), reg * (1 - l1_ratio), reg * l1_ratio),
        np.zeros(2 * p + 1),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": MAX_ITERATIONS, "gtol": GRADIENT_TOLERANCE, "ftol": 0.0},
    )
    theta = result.x
    return Logistic(coefficients=theta[:p] - theta[p : 2 * p], intercept=float(theta[-1]))
