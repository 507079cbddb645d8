-- View ${gold_db}.dash_loan_defaults: every loan with its product, the borrower's segment and district
--   and whether it defaulted, for the dashboard's default rate by segment / loan type / district
--   (default rate = average of is_default; QuickSight dataset `loan_defaults`).
-- Grain: one row per loan. Key: loan_id.
-- Reads: ${gold_db}.loan_features (is_default: status DEFAULT or CHARGED_OFF).
-- Parameters: none.
CREATE OR REPLACE VIEW ${gold_db}.dash_loan_defaults AS
SELECT
    loan_id,
    loan_type,
    segment,
    district,
    principal,
    is_default
FROM ${gold_db}.loan_features
