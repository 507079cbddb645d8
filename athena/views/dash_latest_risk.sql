-- View ${gold_db}.dash_latest_risk: the latest scoring run, one row per scored customer, with the
--   customer's segment and district. Feeds the risk dashboard's headline numbers and risk-band charts
--   (QuickSight dataset `latest_risk` in quicksight/dashboard.yaml; `finlake dashboard` locally).
-- Grain: one row per customer of the latest scoring run (latest scored_at). Key: customer_id.
-- Reads: ${gold_db}.customer_risk_scores, ${gold_db}.customer_loan_summary (no direct identifiers).
-- Parameters: none.
CREATE OR REPLACE VIEW ${gold_db}.dash_latest_risk AS
WITH latest_run AS (
    SELECT scoring_run_id
    FROM ${gold_db}.customer_risk_scores
    ORDER BY scored_at DESC, scoring_run_id DESC
    LIMIT 1
)

SELECT
    s.customer_id,
    c.segment,
    c.district,
    s.risk_band,
    s.default_probability,
    s.open_exposure,
    s.expected_loss,
    CASE WHEN s.risk_band = 'HIGH' THEN 1 ELSE 0 END AS is_high_risk,
    s.model_name,
    s.model_version,
    s.scoring_run_id,
    s.scored_at
FROM ${gold_db}.customer_risk_scores AS s
INNER JOIN latest_run AS r ON s.scoring_run_id = r.scoring_run_id
LEFT JOIN ${gold_db}.customer_loan_summary AS c ON s.customer_id = c.customer_id
