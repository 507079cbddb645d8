output "dashboard_id" {
  description = "ID of the QuickSight risk dashboard (open it at https://<region>.quicksight.aws.amazon.com/sn/dashboards/<id>); null until create_datasets is true."
  value       = one(aws_quicksight_dashboard.this[*].dashboard_id)
}

output "data_source_arn" {
  description = "ARN of the QuickSight Athena data source the dashboard's datasets query through."
  value       = aws_quicksight_data_source.athena.arn
}

output "data_set_arns" {
  description = "ARN of each QuickSight dataset, by dataset key of the definition file (one per Gold view)."
  value       = { for key, ds in aws_quicksight_data_set.this : key => ds.arn }
}

output "risk_team_group_arn" {
  description = "ARN of the QuickSight group that may view the dashboard."
  value       = local.risk_team_group_arn
}
