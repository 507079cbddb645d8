# Every output of modules/platform, passed through. The same for every environment:
# envs/prod/outputs.tf is a symlink to this file.

output "bucket_names" {
  description = "Bucket name per layer."
  value       = module.platform.bucket_names
}

output "kms_key_arn" {
  description = "ARN of the lake's customer-managed key."
  value       = module.platform.kms_key_arn
}

output "glue_database_names" {
  description = "Glue database per layer."
  value       = module.platform.glue_database_names
}

output "glue_job_names" {
  description = "Glue job name per script."
  value       = module.platform.glue_job_names
}

output "glue_workflow_name" {
  description = "Glue workflow chaining the jobs and crawlers."
  value       = module.platform.glue_workflow_name
}

output "crawler_names" {
  description = "Crawler name per definition."
  value       = module.platform.crawler_names
}

output "analyst_role_arn" {
  description = "Role analysts assume: Athena in the analytics workgroup over Silver and Gold only."
  value       = module.platform.analyst_role_arn
}

output "athena_workgroup_name" {
  description = "Athena workgroup for analysts."
  value       = module.platform.athena_workgroup_name
}

output "quicksight_dashboard_id" {
  description = "ID of the risk dashboard (null when QuickSight is disabled)."
  value       = module.platform.quicksight_dashboard_id
}

output "alert_topic_arn" {
  description = "SNS topic of the high-risk alerts (null when alerting is disabled)."
  value       = module.platform.alert_topic_arn
}

output "bronze_purge_after_days" {
  description = "Days after it landed by which a Bronze delivery is gone for good (retention + noncurrent-version window)."
  value       = module.platform.bronze_purge_after_days
}

output "stream_alert_fifo_topic_arn" {
  description = "FIFO SNS topic of the real-time monitor's alerts (exactly once per alert_id)."
  value       = module.platform.stream_alert_fifo_topic_arn
}

output "stream_alert_queue_url" {
  description = "SQS FIFO queue the case system reads stream alerts from."
  value       = module.platform.stream_alert_queue_url
}
