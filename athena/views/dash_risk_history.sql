-- View ${gold_db}.dash_risk_history: every scoring run's scores, for the dashboard's trend of average
--   risk across scoring runs (QuickSight dataset `risk_history`).
-- Grain: one row per customer per scoring run. Key: (customer_id, scoring_run_id).
-- Reads: ${gold_db}.customer_risk_scores.
-- Parameters: none.
CREATE OR REPLACE VIEW ${gold_db}.dash_risk_history AS
SELECT
    scoring_run_id,
    scored_at,
    model_version,
    customer_id,
    risk_band,
    default_probability,
    expected_loss
FROM ${gold_db}.customer_risk_scores
