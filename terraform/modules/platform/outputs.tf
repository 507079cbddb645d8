output "bucket_names" {
  description = "Bucket name per layer."
  value       = module.data_lake.bucket_names
}

output "kms_key_arn" {
  description = "ARN of the lake's customer-managed key."
  value       = module.kms.key_arn
}

output "glue_database_names" {
  description = "Glue database per layer."
  value       = module.glue_catalog.database_names
}

output "bronze_purge_after_days" {
  description = "Days after it landed by which a Bronze delivery is gone for good (retention + noncurrent-version window): the date an erasure log records as Bronze's pending expiry."
  value       = module.data_lake.bronze_purge_after_days
}

output "glue_job_names" {
  description = "Glue job name per script."
  value       = module.glue_jobs.job_names
}

output "glue_workflow_name" {
  description = "Glue workflow chaining the jobs and the Bronze crawler."
  value       = module.glue_workflow.workflow_name
}

output "crawler_names" {
  description = "Crawler name per definition."
  value       = module.crawlers.crawler_names
}

output "analyst_role_arn" {
  description = "Role analysts assume: Athena in the analytics workgroup over Silver and Gold; no Bronze, quarantine or silver_restricted."
  value       = module.analyst_role.role_arn
}

output "athena_workgroup_name" {
  description = "Athena workgroup for analysts."
  value       = module.athena.workgroup_name
}

output "quicksight_dashboard_id" {
  description = "ID of the risk dashboard (null when QuickSight is disabled)."
  value       = one(module.quicksight[*].dashboard_id)
}

output "alert_topic_arn" {
  description = "SNS topic of the high-risk alerts (null when alerting is disabled)."
  value       = one(module.alerting[*].topic_arn)
}

output "stream_alert_fifo_topic_arn" {
  description = "FIFO SNS topic of the real-time monitor's alerts, exactly once per alert_id (null when streaming is disabled)."
  value       = one(module.streaming[*].alert_fifo_topic_arn)
}

output "stream_alert_queue_url" {
  description = "SQS FIFO queue the case system reads stream alerts from (null when streaming is disabled)."
  value       = one(module.streaming[*].alert_queue_url)
}
