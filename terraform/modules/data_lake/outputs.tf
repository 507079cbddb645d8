output "bucket_names" {
  description = "Bucket name per layer: bronze, silver, silver-restricted, gold, quarantine, artifacts, athena-results."
  value       = { for layer, b in module.bucket : layer => b.name }
}

output "bucket_arns" {
  description = "Bucket ARN per layer (same keys as bucket_names)."
  value       = { for layer, b in module.bucket : layer => b.arn }
}

output "access_log_bucket_name" {
  description = "Name of the S3 server access log bucket."
  value       = module.access_logs.name
}

output "bronze_purge_after_days" {
  description = "Days after it landed by which a Bronze object is gone for good: the retention, then the noncurrent-version window of the delete marker S3 puts on a versioned bucket."
  value       = var.bronze_retention_days + var.bronze_noncurrent_version_expiration_days
}
