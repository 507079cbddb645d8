output "job_names" {
  description = "Glue job name per script (bronze_to_silver, silver_to_gold)."
  value       = { for job, j in aws_glue_job.this : job => j.name }
}

output "job_role_arns" {
  description = "IAM role ARN per job."
  value       = { for job, r in aws_iam_role.job : job => r.arn }
}

output "log_group_names" {
  description = "CloudWatch log groups Glue 5.x writes the jobs' logs to, by \"<job>/error\" and \"<job>/output\"."
  value       = { for job, g in aws_cloudwatch_log_group.job : job => g.name }
}

output "state_root" {
  description = "S3 prefix of the jobs' state (--state_root): the Silver job also writes the exchange-rate snapshot fx_rates.json there."
  value       = "s3://${local.artifacts}/_state/"
}

output "wheel_s3_uri" {
  description = "S3 URI of the uploaded finlake wheel."
  value       = "s3://${local.artifacts}/${aws_s3_object.wheel.key}"
}
