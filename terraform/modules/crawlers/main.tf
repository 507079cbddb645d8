data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.region

  # One crawler per crawlers/<name>.yaml of the Bronze layer (owner: catalog engineer). Silver, Gold
  # and the quarantine are Iceberg tables: each job commit registers them in the Glue Data Catalog
  # itself, so a definition of another layer is not deployed.
  all_definitions = {
    for f in fileset(var.crawlers_dir, "*.yaml") :
    trimsuffix(f, ".yaml") => yamldecode(file("${var.crawlers_dir}/${f}"))
  }
  definitions = { for name, d in local.all_definitions : name => d if try(d.layer, "") == "bronze" }

  # The layer's root is its bucket: target paths in the YAML are relative to it.
  layer_bucket     = { bronze = var.bucket_names["bronze"] }
  layer_bucket_arn = { for layer, name in local.layer_bucket : layer => "arn:${local.partition}:s3:::${name}" }
  role_name        = "${var.name_prefix}-glue-crawler"
  glue_arn         = "arn:${local.partition}:glue:${local.region}:${local.account_id}"

  # Definitions that ask for a custom CSV classifier (Bronze: header row, RFC 4180 quoting).
  csv_classifiers = { for name, d in local.definitions : name => d.csv_classifier if can(d.csv_classifier) }
}

resource "aws_glue_classifier" "csv" {
  for_each = local.csv_classifiers

  name = "${var.name_prefix}-${each.value.name_suffix}"

  csv_classifier {
    contains_header        = each.value.contains_header
    delimiter              = each.value.delimiter
    quote_symbol           = each.value.quote_symbol
    serde                  = try(each.value.serde, null)
    disable_value_trimming = false
    allow_single_column    = false
  }
}

resource "aws_glue_crawler" "this" {
  for_each = local.definitions

  name                   = "${var.name_prefix}-${each.key}"
  description            = try(each.value.description, "finlake ${each.value.layer} crawler (crawlers/${each.key}.yaml)")
  database_name          = var.database_names[each.value.layer]
  role                   = aws_iam_role.crawler.arn
  security_configuration = var.security_configuration_name
  classifiers            = contains(keys(local.csv_classifiers), each.key) ? [aws_glue_classifier.csv[each.key].name] : []

  # The YAML's configuration map, plus its table_level as Grouping.TableLevelConfiguration when given.
  configuration = jsonencode(merge(
    try(each.value.configuration, {}),
    {
      for level in compact([try(tostring(each.value.table_level), "")]) :
      "Grouping" => merge(try(each.value.configuration.Grouping, {}), { TableLevelConfiguration = tonumber(level) })
    },
  ))

  # S3 path targets: one per Bronze entity folder.
  dynamic "s3_target" {
    for_each = try(each.value.targets, [])
    content {
      path       = "s3://${local.layer_bucket[each.value.layer]}/${s3_target.value.path}"
      exclusions = try(s3_target.value.exclusions, [])
    }
  }

  # Whatever the YAML says, only non-destructive outcomes are possible here (checkov's CKV_FINLAKE_4
  # verifies the expression statically, as it cannot read the YAML); the preconditions below reject
  # any other value with a clear message rather than rewriting it.
  schema_change_policy {
    update_behavior = each.value.schema_change_policy.update_behavior == "UPDATE_IN_DATABASE" ? "UPDATE_IN_DATABASE" : "LOG"
    delete_behavior = each.value.schema_change_policy.delete_behavior == "LOG" ? "LOG" : "DEPRECATE_IN_DATABASE"
  }

  recrawl_policy {
    recrawl_behavior = try(each.value.recrawl_policy.recrawl_behavior, "CRAWL_EVERYTHING")
  }

  lifecycle {
    precondition {
      # A crawler must never drop tables: a missing folder is logged or marked deprecated instead.
      condition     = contains(["LOG", "DEPRECATE_IN_DATABASE"], each.value.schema_change_policy.delete_behavior)
      error_message = "crawlers/${each.key}.yaml: schema_change_policy.delete_behavior must be LOG or DEPRECATE_IN_DATABASE."
    }
    precondition {
      condition     = length(try(each.value.targets, [])) > 0
      error_message = "crawlers/${each.key}.yaml: a Bronze crawler needs S3 targets (one per entity folder)."
    }
    precondition {
      condition     = contains(["LOG", "UPDATE_IN_DATABASE"], each.value.schema_change_policy.update_behavior)
      error_message = "crawlers/${each.key}.yaml: schema_change_policy.update_behavior must be LOG or UPDATE_IN_DATABASE."
    }
    precondition {
      condition     = try(each.value.recrawl_policy.recrawl_behavior, "CRAWL_EVERYTHING") != "CRAWL_NEW_FOLDERS_ONLY" || (each.value.schema_change_policy.update_behavior == "LOG" && each.value.schema_change_policy.delete_behavior == "LOG")
      error_message = "crawlers/${each.key}.yaml: CRAWL_NEW_FOLDERS_ONLY requires update_behavior and delete_behavior LOG (a Glue rule)."
    }
  }
}

# Glue's log group for crawlers running under a CloudWatch-encrypting security configuration;
# created here so it has a retention and the key (otherwise Glue creates it without either).
resource "aws_cloudwatch_log_group" "crawler" {
  name              = "/aws-glue/crawlers-role/${local.role_name}-${var.security_configuration_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

# --- IAM: one role for the crawler; read the Bronze bucket, maintain the Bronze database -------------

data "aws_iam_policy_document" "assume_glue" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["glue.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "crawler" {
  name                 = local.role_name
  description          = "Runs the finlake crawlers (${var.name_prefix})."
  assume_role_policy   = data.aws_iam_policy_document.assume_glue.json
  max_session_duration = 3600
}

resource "aws_iam_role_policy" "crawler" {
  name   = "least-privilege"
  role   = aws_iam_role.crawler.id
  policy = data.aws_iam_policy_document.crawler.json
}

data "aws_iam_policy_document" "crawler" {
  statement {
    sid       = "ListLayerBuckets"
    effect    = "Allow"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [local.layer_bucket_arn["bronze"]]
  }

  statement {
    sid       = "ReadLayerObjects"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${local.layer_bucket_arn["bronze"]}/*"]
  }

  statement {
    # No DeleteTable/DeletePartition: the schema change policy never deletes.
    sid    = "MaintainLayerTables"
    effect = "Allow"
    actions = [
      "glue:GetDatabase",
      "glue:GetTable",
      "glue:GetTables",
      "glue:CreateTable",
      "glue:UpdateTable",
      "glue:GetPartition",
      "glue:GetPartitions",
      "glue:BatchGetPartition",
      "glue:CreatePartition",
      "glue:BatchCreatePartition",
      "glue:UpdatePartition",
      "glue:BatchUpdatePartition",
    ]
    resources = [
      "${local.glue_arn}:catalog",
      "${local.glue_arn}:database/${var.database_names["bronze"]}",
      "${local.glue_arn}:table/${var.database_names["bronze"]}/*",
    ]
  }

  statement {
    sid       = "UseTheLakeKey"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [var.kms_key_arn]
  }

  statement {
    sid    = "WriteCrawlerLogs"
    effect = "Allow"
    actions = [
      "logs:CreateLogGroup",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "logs:AssociateKmsKey",
    ]
    resources = [
      "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws-glue/crawlers*",
      "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws-glue/crawlers*:log-stream:*",
    ]
  }

  statement {
    sid    = "BronzeIsImmutable"
    effect = "Deny"
    actions = [
      "s3:DeleteObject",
      "s3:DeleteObjectVersion",
      "s3:PutObject",
      "s3:PutLifecycleConfiguration",
      "s3:PutBucketVersioning",
      "s3:PutBucketPolicy",
      "s3:DeleteBucket",
    ]
    resources = [local.layer_bucket_arn["bronze"], "${local.layer_bucket_arn["bronze"]}/*"]
  }
}
