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
