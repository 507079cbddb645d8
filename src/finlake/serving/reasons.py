"""Reason codes: the factors that raised a loan's risk, against the training population.

The scaler centres every model input on the training split's mean, so coefficient x standardised
value is exactly how far that input moves the log-odds away from the training population's
average loan (the reference point). The slots of one contract column (the one-hot categories of a
categorical; a transformed numeric) are summed into one factor, factors that raise the risk are
ranked by their contribution, and each is worded from the contract's column description.
"""

from __future__ import annotations

from typing import Any

from finlake.serving.model import Scored, ScoringModel

TOP_REASONS = 4
NEGLIGIBLE = 1e-6  # log-odds; below this a factor did not raise the risk in any meaningful way


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _text(model: ScoringModel, factor: str, slot: dict[str, Any], scored: Scored, contribution: float) -> str:
    description = model.document["descriptions"].get(factor, factor).rstrip(".")
    if slot["kind"] == "category":
        value = scored.inputs[factor]
        unseen = value not in model.slot_index[factor]
        return f"{description}: {value}" + (" (not seen in training)" if unseen else "")
    if scored.inputs[slot["name"]] is None:
        return f"{description}: not known, scored as the typical value"
    raw = scored.inputs.get(factor)
    typical = model.document["population"]["typical"].get(factor)
    higher = (contribution > 0) == (model.coefficients[model.slots.index(slot)] > 0)
    side = "higher" if higher else "lower"
    if raw is None or typical is None:
        return f"{description}: {side} than typical"
    return f"{description}: {_fmt(raw)}, {side} than the typical {_fmt(typical)}"


def reasons(model: ScoringModel, scored: Scored, top: int = TOP_REASONS) -> list[dict[str, Any]]:
    """The `top` factors with the largest positive contributions, largest first."""
    by_factor: dict[str, float] = {}
    first_slot: dict[str, dict[str, Any]] = {}
    for slot, contribution in zip(model.slots, scored.contributions, strict=True):
        by_factor[slot["factor"]] = by_factor.get(slot["factor"], 0.0) + contribution
        first_slot.setdefault(slot["factor"], slot)
    raising = sorted(((c, f) for f, c in by_factor.items() if c > NEGLIGIBLE), reverse=True)[:top]
    return [
        {
            "factor": factor,
            "contribution": round(contribution, 6),  # log-odds above the training population's average
            "value": scored.inputs.get(factor),
            "text": _text(model, factor, first_slot[factor], scored, contribution),
        }
        for contribution, factor in raising
    ]
