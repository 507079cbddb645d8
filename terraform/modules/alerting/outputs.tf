output "topic_arn" {
  description = "ARN of the KMS-encrypted SNS topic the alerts are published to (subscribe the risk team here)."
  value       = aws_sns_topic.this.arn
}

output "function_name" {
  description = "Name of the alerting Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "dead_letter_queue_arn" {
  description = "ARN of the dead-letter queue that receives invocations that failed after every retry."
  value       = aws_sqs_queue.dead_letter.arn
}

output "state_table_name" {
  description = "DynamoDB table in which the function remembers the alerts it has sent."
  value       = aws_dynamodb_table.sent_alerts.name
}
