-- Named query: compliance_cash_report
-- Question: Which large cash transactions and structuring patterns were flagged in one month, for the compliance case files?
-- Parameters (Athena execution parameters, bound to the ? placeholders in this order):
-- @param month month Alert month, YYYY-MM (the month of the alert's first transaction).
-- Returns: one row per alert of that month: rule (LARGE_CASH or STRUCTURING), account and customer,
--   first/last booking time, transaction_count, total_amount, max_amount, threshold and window in
--   force, the transaction ids, and days_spanned between first and last transaction. Ordered by
--   total_amount descending.
-- Cost: the filter is on the partition column alert_month, so Athena (and the local engine) read
--   only that month's partition of ${gold_db}.compliance_cash_alerts.
SELECT
    alert_id,
    rule,
    account_id,
    customer_id,
    first_booked_at,
    last_booked_at,
    date_diff('day', first_booked_at, last_booked_at) AS days_spanned,
    transaction_count,
    total_amount,
    max_amount,
    threshold,
    window_days,
    array_join(transaction_ids, ',') AS transaction_ids
FROM ${gold_db}.compliance_cash_alerts
WHERE alert_month = ?
ORDER BY total_amount DESC, alert_id
