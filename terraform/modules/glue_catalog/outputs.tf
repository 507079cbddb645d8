output "database_names" {
  description = "Glue database name per layer (bronze, silver, gold)."
  value       = { for layer, db in aws_glue_catalog_database.this : layer => db.name }
}

output "database_arns" {
  description = "Glue database ARN per layer (bronze, silver, gold)."
  value       = { for layer, db in aws_glue_catalog_database.this : layer => db.arn }
}

output "security_configuration_name" {
  description = "Name of the Glue security configuration attached to every job and crawler."
  value       = aws_glue_security_configuration.this.name
}
