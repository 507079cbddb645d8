output "dashboard_id" {
  description = "ID of the risk dashboard."
  value       = local.dashboard_id
}

output "data_source_arn" {
  description = "ARN of the QuickSight Athena data source."
  value       = "arn:aws:quicksight:::datasource/${local.data_source_id}"
}
