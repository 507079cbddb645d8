-- View ${gold_db}.dash_risk_rose: "customers whose risk rose", the open loans with risk_rose at the
--   latest month end of the early-warning scores (crossed the alert threshold, or a rise of at least
--   0.10 since the month before), for the dashboard's table (QuickSight dataset `risk_rose`). The same
--   rows as the named query loans_whose_risk_rose.sql, which the alert Lambda sends; pseudonymous
--   customer_id only.
-- Grain: one row per loan of the latest snapshot_month with risk_rose. Key: loan_id; risk_rank 1 =
--   highest probability (ties broken by loan_id, so the list is stable).
-- Reads: ${gold_db}.loan_early_warning.
-- Parameters: none.
CREATE OR REPLACE VIEW ${gold_db}.dash_risk_rose AS
SELECT
    row_number() OVER (ORDER BY probability DESC, loan_id) AS risk_rank,
    customer_id,
    loan_id,
    snapshot_month,
    previous_probability,
    probability,
    risk_band,
    model_version
FROM ${gold_db}.loan_early_warning
WHERE risk_rose AND snapshot_month = (SELECT max(snapshot_month) FROM ${gold_db}.loan_early_warning)
