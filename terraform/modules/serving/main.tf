# Real-time scoring: the finlake scoring API (FastAPI through Mangum) on Lambda, behind a function URL
# with AWS_IAM auth on the `live` alias. Each deployment publishes a Lambda version that bundles one
# model artifact; `live_version` pins the alias (roll back = set it to the previous version). Online
# features in DynamoDB (filled by `finlake features publish --dynamodb-table`); one request line per
# score through Firehose into S3, queryable in Athena through a Glue table. Code: src/finlake/serving/.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  name       = "${var.name_prefix}-scoring"
  log_prefix = "serving_requests"
}

resource "aws_dynamodb_table" "features" {
  name         = "${local.name}-features"
  billing_mode = "PAY_PER_REQUEST" # point reads per request, a bulk write per Gold run
  hash_key     = "pk"              # "loan#<loan_id>" | "customer#<customer_id>" | "meta#meta"

  attribute {
    name = "pk"
    type = "S"
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

data "aws_iam_policy_document" "assume_lambda" {
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
  assume_role_policy = data.aws_iam_policy_document.assume_lambda.json
  tags               = var.tags
}

# Least privilege: read its feature table, put on its log stream, write its log group, use the key.
data "aws_iam_policy_document" "this" {
  statement {
    sid       = "ReadOnlineFeatures"
    actions   = ["dynamodb:GetItem"]
    resources = [aws_dynamodb_table.features.arn]
  }

  statement {
    sid       = "LogRequests"
    actions   = ["firehose:PutRecord", "firehose:PutRecordBatch"]
    resources = [aws_kinesis_firehose_delivery_stream.requests.arn]
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
  #checkov:skip=CKV_AWS_117:The function only calls AWS APIs (DynamoDB, Firehose); a VPC adds NAT cost and no isolation here.
  #checkov:skip=CKV_AWS_272:Code signing needs a Signer profile the bank sets up per account; the zip's hash is pinned by source_code_hash.
  #checkov:skip=CKV_AWS_116:Invoked synchronously through the function URL: the caller gets the error; a dead-letter queue only serves async invocations.
  function_name                  = local.name
  description                    = "finlake real-time scoring API (default probability and reasons)."
  role                           = aws_iam_role.this.arn
  runtime                        = "python3.11"
  handler                        = "finlake/serving/lambda_app.lambda_handler"
  filename                       = var.package_file
  source_code_hash               = filebase64sha256(var.package_file)
  publish                        = true # every deployment is a numbered version the alias can point at
  timeout                        = 10
  memory_size                    = var.memory_size
  reserved_concurrent_executions = var.reserved_concurrency
  kms_key_arn                    = var.kms_key_arn

  environment {
    variables = {
      FEATURE_TABLE      = aws_dynamodb_table.features.name
      REQUEST_LOG_STREAM = aws_kinesis_firehose_delivery_stream.requests.name
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

resource "aws_lambda_alias" "live" {
  name             = "live"
  description      = "The version (and so the model version) that serves."
  function_name    = aws_lambda_function.this.function_name
  function_version = var.live_version != "" ? var.live_version : aws_lambda_function.this.version
}

resource "aws_lambda_function_url" "live" {
  function_name      = aws_lambda_function.this.function_name
  qualifier          = aws_lambda_alias.live.name
  authorization_type = "AWS_IAM" # callers sign with SigV4 and need lambda:InvokeFunctionUrl (see invoke_policy_json)
}

data "aws_iam_policy_document" "invoke" {
  statement {
    sid       = "InvokeTheScoringApi"
    actions   = ["lambda:InvokeFunctionUrl"]
    resources = [aws_lambda_alias.live.arn]
    condition {
      test     = "StringEquals"
      variable = "lambda:FunctionUrlAuthType"
      values   = ["AWS_IAM"]
    }
  }
}

# -- request log: Firehose -> S3 (partitioned by day) -> Glue table -> Athena -----------------------

data "aws_iam_policy_document" "assume_firehose" {
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
  name               = "${local.name}-requests"
  assume_role_policy = data.aws_iam_policy_document.assume_firehose.json
  tags               = var.tags
}

data "aws_iam_policy_document" "firehose" {
  statement {
    sid       = "WriteRequestLog"
    actions   = ["s3:PutObject", "s3:AbortMultipartUpload"]
    resources = ["${var.log_bucket_arn}/${local.log_prefix}/*", "${var.log_bucket_arn}/${local.log_prefix}_errors/*"]
  }

  statement {
    sid       = "LocateBucket"
    actions   = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"]
    resources = [var.log_bucket_arn]
  }

  statement {
    sid       = "UseTheKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "firehose" {
  name   = "${local.name}-requests"
  role   = aws_iam_role.firehose.id
  policy = data.aws_iam_policy_document.firehose.json
}

resource "aws_kinesis_firehose_delivery_stream" "requests" {
  name        = "${local.name}-requests"
  destination = "extended_s3"

  server_side_encryption {
    enabled  = true
    key_type = "CUSTOMER_MANAGED_CMK"
    key_arn  = var.kms_key_arn
  }

  extended_s3_configuration {
    role_arn            = aws_iam_role.firehose.arn
    bucket_arn          = var.log_bucket_arn
    prefix              = "${local.log_prefix}/dt=!{timestamp:yyyy-MM-dd}/"
    error_output_prefix = "${local.log_prefix}_errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/"
    buffering_interval  = 300
    buffering_size      = 64
    compression_format  = "GZIP"
    kms_key_arn         = var.kms_key_arn
  }

  tags = var.tags
}

resource "aws_glue_catalog_table" "requests" {
  name          = "serving_requests"
  database_name = var.database_name
  description   = "One line per scoring request (ids, probability, band, model version, latency); no PII."
  table_type    = "EXTERNAL_TABLE"

  parameters = {
    classification              = "json"
    "projection.enabled"        = "true"
    "projection.dt.type"        = "date"
    "projection.dt.format"      = "yyyy-MM-dd"
    "projection.dt.range"       = "2024-01-01,NOW"
    "storage.location.template" = "s3://${var.log_bucket_name}/${local.log_prefix}/dt=$${dt}/"
  }

  partition_keys {
    name = "dt"
    type = "string"
  }

  storage_descriptor {
    location      = "s3://${var.log_bucket_name}/${local.log_prefix}/"
    input_format  = "org.apache.hadoop.mapred.TextInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"

    ser_de_info {
      serialization_library = "org.openx.data.jsonserde.JsonSerDe"
    }

    dynamic "columns" {
      for_each = {
        ts          = "string", request_id = "string", kind = "string", loan_id = "string", customer_id = "string",
        probability = "double", risk_band = "string", model_name = "string", model_version = "string",
        latency_ms  = "double", status = "int"
      }
      content {
        name = columns.key
        type = columns.value
      }
    }
  }
}
