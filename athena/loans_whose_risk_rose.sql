-- Named query: loans_whose_risk_rose
-- Question: Which open loans' early-warning risk rose at the latest month end?
-- Parameters: none.
-- Returns: loans with risk_rose at the latest snapshot_month of the early-warning scores: they crossed
--   the model's alert threshold at that month end, or their probability of default within 6 months
--   rose by at least RISE_ALERT (0.10) since the month before. Per loan: borrower, month, probability,
--   previous_probability (null in the loan's first month), band and model version; highest
--   probability first. The alert Lambda sends exactly these loans; `finlake alerts` lists them locally.
-- Reads: ${gold_db}.loan_early_warning (no direct identifiers). Empty table: no rows.
SELECT
    loan_id,
    customer_id,
    snapshot_month,
    probability,
    previous_probability,
    risk_band,
    model_version
FROM ${gold_db}.loan_early_warning
WHERE risk_rose AND snapshot_month = (SELECT max(snapshot_month) FROM ${gold_db}.loan_early_warning)
ORDER BY probability DESC, loan_id
