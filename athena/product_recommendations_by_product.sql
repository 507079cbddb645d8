-- Named query: product_recommendations_by_product
-- Question: How many customers is each product recommended to, in which segments, and how strongly?
-- Parameters: none.
-- Returns: one row per recommended_product and segment: customers, share_of_product (this
--   segment's share of the product's customers), strongest_priority (1 = strongest rule) and
--   top_priority_customers (customers recommended it with priority 1). Ordered by product, then
--   customers descending.
-- Reads: ${gold_db}.product_recommendations (one row per customer).
WITH counts AS (
    SELECT
        recommended_product,
        segment,
        count(*) AS customers,
        min(priority) AS strongest_priority,
        count_if(priority = 1) AS top_priority_customers
    FROM ${gold_db}.product_recommendations
    GROUP BY recommended_product, segment
)

SELECT
    recommended_product,
    segment,
    customers,
    round(CAST(customers AS double) / sum(customers) OVER (PARTITION BY recommended_product), 4) AS share_of_product,
    strongest_priority,
    top_priority_customers
FROM counts
ORDER BY recommended_product, customers DESC, segment
