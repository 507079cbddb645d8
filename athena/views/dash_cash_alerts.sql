-- View ${gold_db}.dash_cash_alerts: compliance cash alerts (large cash transactions and structuring
--   patterns), for the dashboard's alerts-per-month chart (QuickSight dataset `cash_alerts`).
-- Grain: one row per alert. Key: alert_id. alert_month is the month of the alert's first transaction.
-- Reads: ${gold_db}.compliance_cash_alerts.
-- Parameters: none.
CREATE OR REPLACE VIEW ${gold_db}.dash_cash_alerts AS
SELECT
    alert_id,
    alert_month,
    rule,
    transaction_count,
    total_amount
FROM ${gold_db}.compliance_cash_alerts
