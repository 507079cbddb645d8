output "database_names" {
  description = "Glue database name per layer (bronze, silver, silver_restricted, quarantine, gold)."
  value       = { for layer, db in aws_glue_catalog_database.this : layer => db.name }
}

output "database_arns" {
  description = "Glue database ARN per layer (bronze, silver, silver_restricted, quarantine, gold)."
  value       = { for layer, db in aws_glue_catalog_database.this : layer => db.arn }
}

output "security_configuration_name" {
  description = "Name of the Glue security configuration attached to every job and crawler."
  value       = aws_glue_security_configuration.this.name
}

output "database_prefix" {
  description = "Prefix of every database name (<name_prefix> with hyphens as underscores): the jobs' --catalog_database_prefix."
  value       = local.database_prefix
}
