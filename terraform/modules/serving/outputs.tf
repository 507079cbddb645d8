output "function_url" {
  description = "HTTPS endpoint of the scoring API on the `live` alias (SigV4-signed requests only)."
  value       = aws_lambda_function_url.live.function_url
}

output "function_name" {
  description = "Name of the scoring Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "live_version" {
  description = "Lambda version the `live` alias points at (each version bundles one model version)."
  value       = aws_lambda_alias.live.function_version
}

output "published_version" {
  description = "Lambda version published by the last apply (the candidate to switch `live` to)."
  value       = aws_lambda_function.this.version
}

output "feature_table_name" {
  description = "DynamoDB table to publish online features to (`finlake features publish --dynamodb-table`)."
  value       = aws_dynamodb_table.features.name
}

output "request_log_table" {
  description = "Glue table of the request log, for Athena."
  value       = "${var.database_name}.${aws_glue_catalog_table.requests.name}"
}

output "invoke_policy_json" {
  description = "IAM policy to attach to a caller (e.g. the origination system's role) so it may call the API."
  value       = data.aws_iam_policy_document.invoke.json
}
