-- Named query: default_rate_by_segment
-- Question: What share of loans defaulted, by customer segment, by loan type and by district?
-- Parameters: none.
-- Returns: one row per (dimension, value): dimension is 'segment', 'loan_type' or 'district';
--   loans, defaulted_loans (status DEFAULT or CHARGED_OFF), default_rate = defaulted / loans,
--   principal and defaulted_principal. Ordered by dimension, then default_rate descending.
-- Reads: ${gold_db}.loan_features (one row per loan; is_default is the label).
WITH by_dimension AS (
    SELECT
        CASE
            WHEN grouping(segment) = 0 THEN 'segment'
            WHEN grouping(loan_type) = 0 THEN 'loan_type'
            ELSE 'district'
        END AS dimension,
        coalesce(segment, loan_type, district) AS value,
        count(*) AS loans,
        sum(is_default) AS defaulted_loans,
        sum(principal) AS principal,
        sum(CASE WHEN is_default = 1 THEN principal ELSE 0 END) AS defaulted_principal
    FROM ${gold_db}.loan_features
    GROUP BY GROUPING SETS ((segment), (loan_type), (district))
)

SELECT
    dimension,
    value,
    loans,
    defaulted_loans,
    round(CAST(defaulted_loans AS double) / loans, 4) AS default_rate,
    principal,
    defaulted_principal
FROM by_dimension
ORDER BY dimension, default_rate DESC, value
