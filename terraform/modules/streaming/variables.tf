variable "name_prefix" {
  description = "Prefix of every resource name, `<project>-<env>` (e.g. finlake-dev)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.name_prefix))
    error_message = "name_prefix must be 3-41 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}

variable "kms_key_arn" {
  description = "ARN of the lake's customer-managed KMS key: encrypts the stream, table, queues, logs, Lambda environment and the Bronze objects."
  type        = string
}

variable "alert_topic_arn" {
  description = "ARN of the existing (standard) alert SNS topic, the alerting module's: the monitor publishes a notification copy of each alert there (at least once). Exactly-once delivery is on the module's own FIFO topic (alert_fifo_topic_arn)."
  type        = string

  validation {
    condition     = can(regex("^arn:[a-z-]+:sns:", var.alert_topic_arn))
    error_message = "alert_topic_arn must be an SNS topic ARN (enable_streaming needs enable_alerting: alerts go to its topic)."
  }
}

variable "bronze_bucket_arn" {
  description = "ARN of the Bronze bucket; Firehose may write only below its transactions_stream/ and _firehose_errors/ prefixes."
  type        = string
}

variable "lambda_package_file" {
  description = "Path of the monitor's zip, built by `make package-lambda` (dist/transaction_monitor.zip)."
  type        = string

  validation {
    condition     = endswith(var.lambda_package_file, ".zip")
    error_message = "lambda_package_file must be the .zip built by `make package-lambda`."
  }
}

variable "stream_mode" {
  description = "ON_DEMAND (pay per GB, scales itself) or PROVISIONED (pay per shard-hour, shard_count shards)."
  type        = string
  default     = "ON_DEMAND"

  validation {
    condition     = contains(["ON_DEMAND", "PROVISIONED"], var.stream_mode)
    error_message = "stream_mode must be ON_DEMAND or PROVISIONED."
  }
}

variable "shard_count" {
  description = "Shards when stream_mode is PROVISIONED (1 MB/s or 1,000 records/s of writes each)."
  type        = number
  default     = 2

  validation {
    condition     = var.shard_count >= 1 && var.shard_count <= 500 && floor(var.shard_count) == var.shard_count
    error_message = "shard_count must be a whole number from 1 to 500."
  }
}

variable "retention_hours" {
  description = "How long the stream keeps records (24-8760 hours); the monitor can be replayed within it."
  type        = number
  default     = 24

  validation {
    condition     = var.retention_hours >= 24 && var.retention_hours <= 8760
    error_message = "retention_hours must be between 24 and 8760."
  }
}

variable "batch_size" {
  description = "Records per invocation of the monitor (event source mapping BatchSize)."
  type        = number
  default     = 500

  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 10000
    error_message = "batch_size must be between 1 and 10000."
  }
}

variable "max_retry_attempts" {
  description = "Retries of a failing batch (after bisecting) before it goes to the dead-letter queue; bounded so a shard never blocks."
  type        = number
  default     = 3

  validation {
    condition     = var.max_retry_attempts >= 0 && var.max_retry_attempts <= 10
    error_message = "max_retry_attempts must be between 0 and 10."
  }
}

variable "log_retention_days" {
  description = "Retention of the function's and Firehose's CloudWatch logs, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (e.g. 30, 90, 365)."
  }
}

variable "reserved_concurrent_executions" {
  description = "Reserved concurrency of the monitor (null: none). One invocation runs per shard at a time anyway."
  type        = number
  default     = null
}

variable "fx_rates_uri" {
  description = "S3 URI of the exchange-rate snapshot the Silver job writes (`<state_root>fx_rates.json`, RateBook.to_json): the monitor judges LARGE_CASH/STRUCTURING in EUR with it and may read exactly this object."
  type        = string

  validation {
    condition     = can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^*?]+\\.json$", var.fx_rates_uri))
    error_message = "fx_rates_uri must be s3://<bucket>/<key>.json (the Silver job's <state_root>fx_rates.json)."
  }
}

variable "alert_archive_bucket_arn" {
  description = "Bucket of the alert archive (the Gold bucket): Firehose writes only below stream_alerts/ and _firehose_errors/stream_alerts/."
  type        = string

  validation {
    condition     = can(regex("^arn:[a-z-]+:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.alert_archive_bucket_arn))
    error_message = "alert_archive_bucket_arn must be an S3 bucket ARN (arn:aws:s3:::<bucket>)."
  }
}

variable "alert_archive_database_name" {
  description = "Glue database of the `stream_alerts` table over the archive (the Gold database, where the dashboard's Athena data source reads)."
  type        = string
}

variable "tick_schedule_expression" {
  description = "How often EventBridge invokes the monitor's watermark tick (held bursts on quiet shards are released by processing time)."
  type        = string
  default     = "rate(1 minute)"

  validation {
    condition     = can(regex("^(rate\\(.+\\)|cron\\(.+\\))$", var.tick_schedule_expression))
    error_message = "tick_schedule_expression must be an EventBridge rate(...) or cron(...) expression."
  }
}
