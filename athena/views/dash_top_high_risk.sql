-- View ${gold_db}.dash_top_high_risk: the 50 riskiest HIGH-band customers of the latest scoring run,
--   for the dashboard's "top high-risk customers" table. Pseudonymous customer_id only: no names,
--   e-mail, phone or address (those never reach Gold).
-- Grain: one row per customer, at most 50 rows. Key: customer_id; risk_rank 1 = highest probability
--   (ties broken by expected loss, then customer_id, so the list is stable).
-- Reads: ${gold_db}.customer_risk_scores, ${gold_db}.customer_loan_summary.
-- Parameters: none.
CREATE OR REPLACE VIEW ${gold_db}.dash_top_high_risk AS
WITH latest_run AS (
    SELECT scoring_run_id
    FROM ${gold_db}.customer_risk_scores
    ORDER BY scored_at DESC, scoring_run_id DESC
    LIMIT 1
),

ranked AS (
    SELECT
        s.customer_id,
        c.segment,
        c.district,
        s.default_probability,
        s.open_exposure,
        s.expected_loss,
        row_number() OVER (
            ORDER BY s.default_probability DESC, s.expected_loss DESC, s.customer_id
        ) AS risk_rank
    FROM ${gold_db}.customer_risk_scores AS s
    INNER JOIN latest_run AS r ON s.scoring_run_id = r.scoring_run_id
    LEFT JOIN ${gold_db}.customer_loan_summary AS c ON s.customer_id = c.customer_id
    WHERE s.risk_band = 'HIGH'
)

SELECT
    risk_rank,
    customer_id,
    segment,
    district,
    default_probability,
    open_exposure,
    expected_loss
FROM ranked
WHERE risk_rank <= 50
