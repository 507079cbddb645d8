output "role_arn" {
  description = "ARN of the analyst role (assume it to query Silver and Gold in the analytics workgroup)."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the analyst role: <name_prefix>-analyst."
  value       = aws_iam_role.this.name
}
