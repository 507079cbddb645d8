output "role_arn" {
  description = "ARN of the IAM role the Glue table optimizers assume."
  value       = aws_iam_role.this.arn
}

output "optimized_tables" {
  description = "\"<layer>.<table>\" of every table with optimizers (empty until enable is true)."
  value       = sort(distinct([for o in values(local.optimizers) : "${o.layer}.${o.table}"]))
}
