-- Named query: loan_portfolio_summary
-- Question: What does the current loan book look like per loan type: how many loans, how much lent and still open, at what rates, and how much of it defaulted?
-- Parameters: none.
-- Returns: one row per loan_type plus a final 'ALL' row: loans, open_loans (CURRENT, LATE, DEFAULT),
--   defaulted_loans (DEFAULT, CHARGED_OFF), total_principal, open_principal, avg_interest_rate
--   (percent, simple average), principal-weighted average rate, and default_rate.
-- Reads: ${silver_db}.loans (one row per loan, current status).
SELECT
    coalesce(loan_type, 'ALL') AS loan_type,
    count(*) AS loans,
    count_if(status IN ('CURRENT', 'LATE', 'DEFAULT')) AS open_loans,
    count_if(is_default) AS defaulted_loans,
    sum(principal) AS total_principal,
    sum(CASE WHEN status IN ('CURRENT', 'LATE', 'DEFAULT') THEN principal ELSE 0 END) AS open_principal,
    round(avg(CAST(interest_rate AS double)), 4) AS avg_interest_rate,
    round(sum(CAST(interest_rate AS double) * CAST(principal AS double)) / sum(CAST(principal AS double)), 4)
        AS weighted_interest_rate,
    round(CAST(count_if(is_default) AS double) / count(*), 4) AS default_rate
FROM ${silver_db}.loans
GROUP BY ROLLUP (loan_type)
ORDER BY grouping(loan_type), loan_type
