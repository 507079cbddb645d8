output "workgroup_name" {
  description = "Name of the Athena workgroup (engine v3, enforced configuration, KMS-encrypted results)."
  value       = aws_athena_workgroup.this.name
}

output "workgroup_arn" {
  description = "ARN of the Athena workgroup."
  value       = aws_athena_workgroup.this.arn
}

output "named_query_ids" {
  description = "Named query ID per SQL file (views are prefixed views_)."
  value       = { for name, q in aws_athena_named_query.this : name => q.id }
}
