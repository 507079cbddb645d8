output "stream_name" {
  description = "Name of the transactions Kinesis stream (producers write here, partition key account_id)."
  value       = aws_kinesis_stream.this.name
}

output "stream_arn" {
  description = "ARN of the transactions Kinesis stream."
  value       = aws_kinesis_stream.this.arn
}

output "function_name" {
  description = "Name of the monitoring Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "state_table_name" {
  description = "DynamoDB table of per-account windows, shard watermarks and alert idempotency records."
  value       = aws_dynamodb_table.state.name
}

output "dead_letter_queue_url" {
  description = "URL of the SQS queue receiving malformed records (with Silver's reason codes) and batches that failed every retry."
  value       = aws_sqs_queue.dead_letter.url
}

output "late_events_queue_url" {
  description = "URL of the SQS queue receiving events later than the lateness bound (the nightly batch reconciles them)."
  value       = aws_sqs_queue.late.url
}

output "firehose_name" {
  description = "Name of the Firehose delivery stream writing the streamed transactions to Bronze."
  value       = aws_kinesis_firehose_delivery_stream.bronze.name
}

output "alert_archive_firehose_name" {
  description = "Name of the Firehose delivery stream archiving every published alert to S3 (stream_alerts/)."
  value       = aws_kinesis_firehose_delivery_stream.archive.name
}

output "alert_archive_table_name" {
  description = "Athena (Glue) table over the alert archive, partitioned by detected_date with partition projection."
  value       = aws_glue_catalog_table.alerts.name
}

output "alert_fifo_topic_arn" {
  description = "ARN of the FIFO SNS topic the monitor publishes each alert to exactly once (deduplication id = alert_id)."
  value       = aws_sns_topic.alerts.arn
}

output "alert_queue_url" {
  description = "URL of the SQS FIFO queue subscribed to the FIFO alert topic: the compliance case system reads each alert once here."
  value       = aws_sqs_queue.alerts.url
}
