output "crawler_names" {
  description = "Crawler name per deployed definition file (Bronze only: the Iceberg layers need no crawler)."
  value       = { for name, c in aws_glue_crawler.this : name => c.name }
}

output "role_arn" {
  description = "ARN of the crawlers' IAM role."
  value       = aws_iam_role.crawler.arn
}
