-- Named query: top_high_risk_customers
-- Question: Which HIGH-band customers of the latest scoring run are most likely to default, and how much exposure do they carry?
-- Parameters (Athena execution parameters: each ? is bound, in order, to the @param lines below;
-- locally: finlake query top_high_risk_customers --param top_n=20):
-- @param top_n integer How many customers to list (the N in top-N), e.g. 20.
-- Returns: one row per customer, at most top_n rows, risk_rank 1 = highest default probability
--   (ties broken by expected loss, then customer_id). The latest scoring run is the one with the
--   latest scored_at (then the highest scoring_run_id), as in the dashboard views.
-- Reads: ${gold_db}.customer_risk_scores, ${gold_db}.customer_loan_summary.
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
        s.risk_band,
        s.default_probability,
        s.open_exposure,
        s.expected_loss,
        s.scoring_run_id,
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
    expected_loss,
    scoring_run_id
FROM ranked
WHERE risk_rank <= ?
ORDER BY risk_rank
