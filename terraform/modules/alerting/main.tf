# High-risk alerting: a scheduled Lambda runs an Athena query for customers who entered the HIGH
# band in the latest scoring run and publishes one SNS message per batch, then one for open loans
# whose early-warning risk rose at the latest month end (gold.loan_early_warning), remembering what
# it sent in DynamoDB so retries never alert twice. Code: lambdas/high_risk_alert/.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  name       = "${var.name_prefix}-high-risk-alert"
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.region
  partition  = data.aws_partition.current.partition
  glue_arn   = "arn:${local.partition}:glue:${local.region}:${local.account_id}"
  # The Gold tables the alert queries read: athena/high_risk_new_entrants.sql, loans_whose_risk_rose.sql.
  scores        = "customer_risk_scores"
  early_warning = "loan_early_warning"
}

resource "aws_sns_topic" "this" {
  name              = local.name
  kms_master_key_id = var.kms_key_arn
  tags              = var.tags
}

resource "aws_sqs_queue" "dead_letter" {
  name                      = "${local.name}-dlq"
  kms_master_key_id         = var.kms_key_arn
  message_retention_seconds = 1209600 # 14 days, the maximum: time to look at a failed run
  tags                      = var.tags
}

resource "aws_dynamodb_table" "sent_alerts" {
  name         = "${local.name}-state"
  billing_mode = "PAY_PER_REQUEST" # a few hundred writes a day: on-demand costs cents
  hash_key     = "alert_key"       # "<scoring_run_id>#<customer_id>" or "risk_rose#<snapshot_month>#<loan_id>"

  attribute {
    name = "alert_key"
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

data "aws_iam_policy_document" "assume" {
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
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

# Least privilege: the one workgroup, the two Gold tables it queries and their prefixes, the results bucket,
# the topic, its own state table, its dead-letter queue, its log group and the key.
data "aws_iam_policy_document" "this" {
  statement {
    sid       = "RunTheAlertQuery"
    actions   = ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution"]
    resources = ["arn:${local.partition}:athena:${local.region}:${local.account_id}:workgroup/${var.athena_workgroup_name}"]
  }

  statement {
    sid     = "ReadTheScoresTableDefinition"
    actions = ["glue:GetDatabase", "glue:GetTable", "glue:GetPartition", "glue:GetPartitions"]
    resources = [
      "${local.glue_arn}:catalog",
      "${local.glue_arn}:database/${var.gold_database_name}",
      "${local.glue_arn}:table/${var.gold_database_name}/${local.scores}",
      "${local.glue_arn}:table/${var.gold_database_name}/${local.early_warning}",
    ]
  }

  # gold.customer_risk_scores and gold.loan_early_warning are Iceberg tables located at
  # <gold bucket>/<table>/: Athena reads their metadata/ (metadata.json, manifest lists, manifests)
  # and data/ files.
  statement {
    sid       = "ReadTheScores"
    actions   = ["s3:GetObject"]
    resources = ["${var.gold_bucket_arn}/${local.scores}/*", "${var.gold_bucket_arn}/${local.early_warning}/*"]
  }

  statement {
    sid       = "ListTheScores"
    actions   = ["s3:ListBucket"]
    resources = [var.gold_bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${local.scores}/*", local.scores, "${local.early_warning}/*", local.early_warning]
    }
  }

  # GetBucketLocation sends no s3:prefix, so it cannot sit in the conditioned statement above.
  statement {
    sid       = "LocateTheBuckets"
    actions   = ["s3:GetBucketLocation"]
    resources = [var.gold_bucket_arn, var.athena_results_bucket_arn]
  }

  statement {
    sid       = "WriteQueryResults"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
    resources = ["${var.athena_results_bucket_arn}/*"]
  }

  statement {
    sid       = "ListQueryResults"
    actions   = ["s3:ListBucket"]
    resources = [var.athena_results_bucket_arn]
  }

  statement {
    sid       = "PublishAlerts"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.this.arn]
  }

  statement {
    sid       = "RememberSentAlerts"
    actions   = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem"]
    resources = [aws_dynamodb_table.sent_alerts.arn]
  }

  statement {
    sid       = "DeadLetter"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dead_letter.arn]
  }

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  statement {
    sid       = "UseTheKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }

  # Active tracing (tracing_config below): Lambda refuses to create the function without these.
  # X-Ray's write actions have no resource-level permissions, so "*" is the only possible resource.
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
  #checkov:skip=CKV_AWS_117:The function only calls AWS APIs (Athena, SNS, DynamoDB); a VPC adds NAT cost and no isolation here.
  #checkov:skip=CKV_AWS_272:Code signing needs a Signer profile the bank sets up per account; the zip's hash is pinned by source_code_hash.
  function_name                  = local.name
  description                    = "Alerts the risk team when customers enter the HIGH risk band or loans' risk rose (finlake)."
  role                           = aws_iam_role.this.arn
  runtime                        = "python3.12"
  handler                        = "handler.lambda_handler"
  filename                       = var.lambda_package_file
  source_code_hash               = filebase64sha256(var.lambda_package_file)
  timeout                        = 900 # the maximum: two Athena queries, each up to QUERY_TIMEOUT_SECONDS a try; claims stop a retry resending
  memory_size                    = 256
  reserved_concurrent_executions = var.reserved_concurrent_executions # null: none (a new account's quota cannot spare any)
  kms_key_arn                    = var.kms_key_arn

  environment {
    variables = {
      ATHENA_WORKGROUP      = var.athena_workgroup_name
      GOLD_DATABASE         = var.gold_database_name
      SNS_TOPIC_ARN         = aws_sns_topic.this.arn
      STATE_TABLE           = aws_dynamodb_table.sent_alerts.name
      DASHBOARD_URL         = var.dashboard_url
      BATCH_SIZE            = tostring(var.batch_size)
      QUERY_TIMEOUT_SECONDS = "120"
      MAX_ATTEMPTS          = "4"
    }
  }

  dead_letter_config {
    target_arn = aws_sqs_queue.dead_letter.arn
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

resource "aws_lambda_function_event_invoke_config" "this" {
  function_name                = aws_lambda_function.this.function_name
  maximum_retry_attempts       = 2
  maximum_event_age_in_seconds = 3600
}

resource "aws_cloudwatch_event_rule" "schedule" {
  name                = "${local.name}-schedule"
  description         = "Check for customers newly in the HIGH risk band."
  schedule_expression = var.schedule_expression
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "schedule" {
  rule = aws_cloudwatch_event_rule.schedule.name
  arn  = aws_lambda_function.this.arn
}

resource "aws_lambda_permission" "schedule" {
  statement_id  = "AllowEventBridgeSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.schedule.arn
}
