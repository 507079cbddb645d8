-- Named query: monthly_transaction_volumes
-- Question: How many transactions, and how much money, moved in and out each month, and how much of it was cash?
-- Parameters (Athena execution parameters, bound to the ? placeholders in this order):
-- @param from_month month First booking month, YYYY-MM (inclusive).
-- @param to_month month Last booking month, YYYY-MM (inclusive).
-- Returns: one row per booking month: transactions, credits, debits, credit_amount, debit_amount,
--   net_flow (credits - debits), cash_transactions, cash_amount (ATM or BRANCH), active_accounts.
-- Reads: ${silver_db}.transactions, pruned to the booked_month partitions in the range.
SELECT
    booked_month,
    count(*) AS transactions,
    count_if(direction = 'CREDIT') AS credits,
    count_if(direction = 'DEBIT') AS debits,
    sum(CASE WHEN direction = 'CREDIT' THEN amount ELSE 0 END) AS credit_amount,
    sum(CASE WHEN direction = 'DEBIT' THEN amount ELSE 0 END) AS debit_amount,
    sum(signed_amount) AS net_flow,
    count_if(is_cash) AS cash_transactions,
    sum(CASE WHEN is_cash THEN amount ELSE 0 END) AS cash_amount,
    count(DISTINCT account_id) AS active_accounts
FROM ${silver_db}.transactions
WHERE booked_month BETWEEN ? AND ?
GROUP BY booked_month
ORDER BY booked_month
