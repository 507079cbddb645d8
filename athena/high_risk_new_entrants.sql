-- Named query: high_risk_new_entrants
-- Question: Which customers entered the HIGH risk band in the latest scoring run?
-- Parameters: none.
-- Returns: customers HIGH in the latest run and not HIGH (or not scored) in the run before, with
--   probability, band, model version and run; highest probability first. The high-risk alerting
--   Lambda sends exactly these customers; `finlake alerts` lists them locally.
-- Reads: ${gold_db}.customer_risk_scores (no direct identifiers).
WITH runs AS (
    SELECT
        scoring_run_id,
        max(scored_at) AS scored_at
    FROM ${gold_db}.customer_risk_scores
    GROUP BY scoring_run_id
),

ranked_runs AS (
    SELECT
        scoring_run_id,
        row_number() OVER (ORDER BY scored_at DESC, scoring_run_id DESC) AS recency
    FROM runs
),

latest AS (
    SELECT s.*
    FROM ${gold_db}.customer_risk_scores AS s
    INNER JOIN ranked_runs AS r ON s.scoring_run_id = r.scoring_run_id AND r.recency = 1
),

previous AS (
    SELECT s.customer_id, s.risk_band
    FROM ${gold_db}.customer_risk_scores AS s
    INNER JOIN ranked_runs AS r ON s.scoring_run_id = r.scoring_run_id AND r.recency = 2
)

SELECT
    l.customer_id,
    l.default_probability,
    l.risk_band,
    l.model_version,
    l.scoring_run_id
FROM latest AS l
LEFT JOIN previous AS p ON l.customer_id = p.customer_id
WHERE l.risk_band = 'HIGH' AND (p.risk_band IS NULL OR p.risk_band <> 'HIGH')
ORDER BY l.default_probability DESC, l.customer_id
