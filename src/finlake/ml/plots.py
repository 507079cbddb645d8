"""ROC and calibration charts as PNG files (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: a cluster driver or CI has no display

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.metrics import roc_curve


def roc_chart(path: Path, y: np.ndarray, curves: dict[str, np.ndarray]) -> Path:
    """One ROC curve per named score (the model, and the generator's truth when known)."""
    fig, ax = plt.subplots(figsize=(5, 5))
    for name, scores in curves.items():
        fpr, tpr, _ = roc_curve(y, scores)
        ax.plot(fpr, tpr, label=name)
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="random")
    ax.set(xlabel="false positive rate (good loans flagged)", ylabel="true positive rate (defaults caught)")
    ax.set_title("ROC curve, test loans")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def calibration_chart(path: Path, table: pd.DataFrame) -> Path:
    """Mean predicted probability vs observed default rate per score decile."""
    fig, ax = plt.subplots(figsize=(5, 5))
    top = float(max(table["mean_predicted"].max(), table["observed_default_rate"].max(), 0.01)) * 1.05
    ax.plot([0, top], [0, top], linestyle="--", color="grey", label="perfect calibration")
    ax.plot(table["mean_predicted"], table["observed_default_rate"], marker="o", label="model, by score decile")
    ax.set(xlabel="mean predicted default probability", ylabel="observed default rate", xlim=(0, top), ylim=(0, top))
    ax.set_title("Calibration, test loans")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
