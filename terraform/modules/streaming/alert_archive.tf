# The alert archive: every alert the monitor publishes, also as one JSON line in S3 (Gold bucket, below
# stream_alerts/), and the Athena table `stream_alerts` over it, the AWS source of the dashboard's "live
# alerts" panel. The Lambda writes to the delivery stream after publishing and before marking the alert
# SENT (finlake.stream.aws.FirehoseArchive), so the archive misses no alert; a retry after a crash in
# between can archive one twice, so readers keep the first line per alert_id. (An SNS -> Firehose
# subscription would need no code, but SNS delivers to Firehose from standard topics only, and the
# exactly-once setup is a FIFO topic.)

locals {
  archive_name   = "${var.name_prefix}-transaction-alerts-archive"
  archive_prefix = "stream_alerts"
  archive_bucket = element(split(":", var.alert_archive_bucket_arn), 5) # arn:aws:s3:::<bucket>
  # The published message's fields (finlake.stream.monitor.make_alert + aws.SnsPublisher), in its order.
  archive_columns = [
    { name = "type", type = "string" },
    { name = "alert_id", type = "string" },
    { name = "rule", type = "string" },
    { name = "account_id", type = "string" },
    { name = "first_transaction_id", type = "string" },
    { name = "first_booked_at", type = "string" },
    { name = "last_booked_at", type = "string" },
    { name = "transaction_count", type = "int" },
    { name = "total_amount", type = "string" },
    { name = "max_amount", type = "string" },
    { name = "transaction_ids", type = "array<string>" },
    { name = "detected_at", type = "string" },
    { name = "detection_latency_ms", type = "double" },
  ]
}

resource "aws_cloudwatch_log_group" "archive" {
  name              = "/aws/kinesisfirehose/${local.archive_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_cloudwatch_log_stream" "archive" {
  name           = "S3Delivery"
  log_group_name = aws_cloudwatch_log_group.archive.name
}

resource "aws_iam_role" "archive" {
  name               = local.archive_name
  assume_role_policy = data.aws_iam_policy_document.firehose_assume.json
  tags               = var.tags
}

# Firehose only adds objects below the archive's two prefixes (never reads or deletes).
data "aws_iam_policy_document" "archive" {
  statement {
    sid       = "WriteArchiveObjects"
    actions   = ["s3:PutObject", "s3:AbortMultipartUpload"]
    resources = ["${var.alert_archive_bucket_arn}/${local.archive_prefix}/*", "${var.alert_archive_bucket_arn}/${local.error_prefix}/${local.archive_prefix}/*"]
  }

  statement {
    sid       = "LocateTheBucket"
    actions   = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"]
    resources = [var.alert_archive_bucket_arn]
  }

  statement {
    sid       = "UseTheKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }

  statement {
    sid       = "Logs"
    actions   = ["logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.archive.arn}:*"]
  }
}

resource "aws_iam_role_policy" "archive" {
  name   = local.archive_name
  role   = aws_iam_role.archive.id
  policy = data.aws_iam_policy_document.archive.json
}

# The monitor may put records into this one delivery stream.
resource "aws_iam_role_policy" "monitor_archive" {
  name   = "${local.name}-archive"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.monitor_archive.json
}

data "aws_iam_policy_document" "monitor_archive" {
  statement {
    sid       = "ArchiveAlerts"
    actions   = ["firehose:PutRecord", "firehose:PutRecordBatch"]
    resources = [aws_kinesis_firehose_delivery_stream.archive.arn]
  }
}

resource "aws_kinesis_firehose_delivery_stream" "archive" {
  name        = local.archive_name
  destination = "extended_s3"

  server_side_encryption {
    enabled  = true
    key_type = "CUSTOMER_MANAGED_CMK"
    key_arn  = var.kms_key_arn
  }

  extended_s3_configuration {
    role_arn            = aws_iam_role.archive.arn
    bucket_arn          = var.alert_archive_bucket_arn
    prefix              = "${local.archive_prefix}/detected_date=!{timestamp:yyyy-MM-dd}/"
    error_output_prefix = "${local.error_prefix}/${local.archive_prefix}/!{firehose:error-output-type}/detected_date=!{timestamp:yyyy-MM-dd}/"
    buffering_size      = 1
    buffering_interval  = 60 # the panel is at most a minute behind the topic
    compression_format  = "GZIP"
    kms_key_arn         = var.kms_key_arn

    cloudwatch_logging_options {
      enabled         = true
      log_group_name  = aws_cloudwatch_log_group.archive.name
      log_stream_name = aws_cloudwatch_log_stream.archive.name
    }
  }

  tags = var.tags
}

# JSON Lines, partitioned by the day Firehose received them; partition projection, so no crawler and no
# MSCK REPAIR: a new day is readable at once. Times and amounts are kept as the message's strings (ISO 8601,
# decimal text); queries cast them (from_iso8601_timestamp, CAST AS decimal(18,2)).
resource "aws_glue_catalog_table" "alerts" {
  name          = "stream_alerts"
  database_name = var.alert_archive_database_name
  description   = "Real-time monitoring alerts as published (one line per publication; keep the first per alert_id)."
  table_type    = "EXTERNAL_TABLE"

  parameters = {
    "classification"                         = "json"
    "projection.enabled"                     = "true"
    "projection.detected_date.type"          = "date"
    "projection.detected_date.format"        = "yyyy-MM-dd"
    "projection.detected_date.range"         = "2024-01-01,NOW"
    "projection.detected_date.interval"      = "1"
    "projection.detected_date.interval.unit" = "DAYS"
    "storage.location.template"              = "s3://${local.archive_bucket}/${local.archive_prefix}/detected_date=$${detected_date}/"
  }

  partition_keys {
    name = "detected_date"
    type = "string"
  }

  storage_descriptor {
    location      = "s3://${local.archive_bucket}/${local.archive_prefix}/"
    input_format  = "org.apache.hadoop.mapred.TextInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"

    ser_de_info {
      serialization_library = "org.openx.data.jsonserde.JsonSerDe"
      parameters = {
        "ignore.malformed.json" = "true"
      }
    }

    dynamic "columns" {
      for_each = local.archive_columns
      content {
        name = columns.value.name
        type = columns.value.type
      }
    }
  }
}
