# Real-time transaction monitoring: a Kinesis stream of transactions (partition key account_id), the
# monitoring Lambda attached by an event source mapping, its DynamoDB state, side-output queues, and a
# Firehose delivery of every streamed transaction to Bronze (Silver and Gold stay the system of record).
# Code: lambdas/transaction_monitor/ and src/finlake/stream/.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  name          = "${var.name_prefix}-transaction-monitor"
  stream_prefix = "transactions_stream"
  error_prefix  = "_firehose_errors"
  # The Silver job's rate snapshot: bucket and key, for a grant on that one object.
  fx_rates = regex("^s3://(?P<bucket>[^/]+)/(?P<key>.+)$", var.fx_rates_uri)
}

resource "aws_kinesis_stream" "this" {
  name             = "${var.name_prefix}-transactions"
  shard_count      = var.stream_mode == "PROVISIONED" ? var.shard_count : null
  retention_period = var.retention_hours
  encryption_type  = "KMS"
  kms_key_id       = var.kms_key_arn

  stream_mode_details {
    stream_mode = var.stream_mode
  }

  tags = var.tags
}

resource "aws_sqs_queue" "dead_letter" {
  name                      = "${local.name}-dead-letters"
  kms_master_key_id         = var.kms_key_arn
  message_retention_seconds = 1209600 # 14 days, the maximum: time to look at a poison record
  tags                      = var.tags
}

resource "aws_sqs_queue" "late" {
  name                      = "${local.name}-late-events"
  kms_master_key_id         = var.kms_key_arn
  message_retention_seconds = 1209600
  tags                      = var.tags
}

resource "aws_dynamodb_table" "state" {
  name         = "${local.name}-state"
  billing_mode = "PAY_PER_REQUEST" # two writes per account per batch; on-demand follows the stream
  hash_key     = "pk"              # a#<account_id> | s#<stream>/<shard> | alert#<alert_id>

  attribute {
    name = "pk"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  deletion_protection_enabled = true
  tags                        = var.tags
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${local.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = local.name
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
  tags               = var.tags
}

# Least privilege: read its one stream, its own table, publish to the one topic, send to its two queues.
data "aws_iam_policy_document" "this" {
  statement {
    sid       = "ReadTheStream"
    actions   = ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:ListShards"]
    resources = [aws_kinesis_stream.this.arn]
  }

  statement {
    sid       = "ListStreams"
    actions   = ["kinesis:ListStreams"]
    resources = ["arn:${data.aws_partition.current.partition}:kinesis:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:stream/*"]
  }

  statement {
    sid       = "KeepState"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"]
    resources = [aws_dynamodb_table.state.arn]
  }

  statement {
    sid       = "PublishAlerts"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts.arn, var.alert_topic_arn] # the FIFO topic (exactly once), the notification copy
  }

  statement {
    sid       = "TickQuietShards"
    actions   = ["kinesis:PutRecord"]
    resources = [aws_kinesis_stream.this.arn]
  }

  statement {
    sid       = "SideOutputsAndOnFailureDestination"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dead_letter.arn, aws_sqs_queue.late.arn]
  }

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  statement {
    sid       = "ReadTheRateSnapshot" # that one object; no ListBucket, so before Silver writes it S3 answers 403
    actions   = ["s3:GetObject"]
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${local.fx_rates.bucket}/${local.fx_rates.key}"]
  }

  # Also decrypts the rate snapshot (the Silver job writes it under the lake key, --lake_kms_key_id).
  statement {
    sid       = "UseTheKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }

  # Active tracing: X-Ray's write actions have no resource-level permissions, so "*" is the only resource.
  statement {
    sid       = "SendTraces"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "this" {
  name   = local.name
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_117:The function only calls AWS APIs (Kinesis, DynamoDB, SNS, SQS); a VPC adds NAT cost and no isolation here.
  #checkov:skip=CKV_AWS_272:Code signing needs a Signer profile the bank sets up per account; the zip's hash is pinned by source_code_hash.
  #checkov:skip=CKV_AWS_116:A stream-triggered function has no async DLQ; the event source mapping's on-failure destination (an encrypted SQS queue) takes that role.
  function_name                  = local.name
  description                    = "Real-time transaction monitoring: LARGE_CASH, STRUCTURING, VELOCITY alerts (finlake)."
  role                           = aws_iam_role.this.arn
  runtime                        = "python3.12"
  handler                        = "handler.lambda_handler"
  filename                       = var.lambda_package_file
  source_code_hash               = filebase64sha256(var.lambda_package_file)
  timeout                        = 60
  memory_size                    = 512
  reserved_concurrent_executions = var.reserved_concurrent_executions
  kms_key_arn                    = var.kms_key_arn

  environment {
    variables = {
      STATE_TABLE           = aws_dynamodb_table.state.name
      ALERT_TOPIC_ARN       = aws_sns_topic.alerts.arn
      NOTIFY_TOPIC_ARN      = var.alert_topic_arn
      STREAM_NAME           = aws_kinesis_stream.this.name
      DEAD_LETTER_QUEUE_URL = aws_sqs_queue.dead_letter.url
      LATE_EVENTS_QUEUE_URL = aws_sqs_queue.late.url
      ALERT_ARCHIVE_STREAM  = aws_kinesis_firehose_delivery_stream.archive.name
      FX_RATES_URI          = var.fx_rates_uri
    }
  }

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.this.name
  }

  tags = var.tags
}

resource "aws_lambda_event_source_mapping" "this" {
  event_source_arn                   = aws_kinesis_stream.this.arn
  function_name                      = aws_lambda_function.this.arn
  starting_position                  = "TRIM_HORIZON" # a new mapping starts from what the stream still holds
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = 1 # latency: at most a second of buffering
  parallelization_factor             = 1 # one invocation per shard at a time: the state needs it
  bisect_batch_on_function_error     = true
  maximum_retry_attempts             = var.max_retry_attempts
  maximum_record_age_in_seconds      = 3600
  function_response_types            = ["ReportBatchItemFailures"]

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.dead_letter.arn
    }
  }
}

# --- Bronze delivery: every streamed record, as delivered, lands in Bronze (see the Bronze contract) ---

resource "aws_cloudwatch_log_group" "firehose" {
  name              = "/aws/kinesisfirehose/${var.name_prefix}-transactions-to-bronze"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_cloudwatch_log_stream" "firehose" {
  name           = "S3Delivery"
  log_group_name = aws_cloudwatch_log_group.firehose.name
}

data "aws_iam_policy_document" "firehose_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["firehose.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "firehose" {
  name               = "${var.name_prefix}-transactions-to-bronze"
  assume_role_policy = data.aws_iam_policy_document.firehose_assume.json
  tags               = var.tags
}

# Firehose reads the one stream and only adds objects below its two Bronze prefixes (never deletes).
data "aws_iam_policy_document" "firehose" {
  statement {
    sid       = "ReadTheStream"
    actions   = ["kinesis:DescribeStream", "kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:ListShards"]
    resources = [aws_kinesis_stream.this.arn]
  }

  statement {
    sid       = "WriteBronzeObjects"
    actions   = ["s3:PutObject", "s3:AbortMultipartUpload"]
    resources = ["${var.bronze_bucket_arn}/${local.stream_prefix}/*", "${var.bronze_bucket_arn}/${local.error_prefix}/*"]
  }

  statement {
    sid       = "LocateTheBucket"
    actions   = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"]
    resources = [var.bronze_bucket_arn]
  }

  statement {
    sid       = "UseTheKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }

  statement {
    sid       = "Logs"
    actions   = ["logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.firehose.arn}:*"]
  }
}

resource "aws_iam_role_policy" "firehose" {
  name   = "${var.name_prefix}-transactions-to-bronze"
  role   = aws_iam_role.firehose.id
  policy = data.aws_iam_policy_document.firehose.json
}

resource "aws_kinesis_firehose_delivery_stream" "bronze" {
  #checkov:skip=CKV_AWS_240:Firehose server-side encryption cannot be set when the source is a Kinesis stream; the stream is KMS-encrypted and the objects are written with the lake key (kms_key_arn below).
  #checkov:skip=CKV_AWS_241:Same reason as CKV_AWS_240: the source stream and the S3 objects are encrypted with the lake's customer-managed key.
  name        = "${var.name_prefix}-transactions-to-bronze"
  destination = "extended_s3"

  kinesis_source_configuration {
    kinesis_stream_arn = aws_kinesis_stream.this.arn
    role_arn           = aws_iam_role.firehose.arn
  }

  extended_s3_configuration {
    role_arn            = aws_iam_role.firehose.arn
    bucket_arn          = var.bronze_bucket_arn
    prefix              = "${local.stream_prefix}/ingest_date=!{timestamp:yyyy-MM-dd}/"
    error_output_prefix = "${local.error_prefix}/${local.stream_prefix}/!{firehose:error-output-type}/ingest_date=!{timestamp:yyyy-MM-dd}/"
    buffering_size      = 64
    buffering_interval  = 300
    compression_format  = "GZIP"
    file_extension      = ".jsonl.gz" # Silver reads the folder by this suffix (silver/stream_source.py)
    kms_key_arn         = var.kms_key_arn

    processing_configuration {
      enabled = true
      processors {
        type = "AppendDelimiterToRecord" # one JSON object per line (JSON Lines)
      }
    }

    cloudwatch_logging_options {
      enabled         = true
      log_group_name  = aws_cloudwatch_log_group.firehose.name
      log_stream_name = aws_cloudwatch_log_stream.firehose.name
    }
  }

  tags = var.tags
}
