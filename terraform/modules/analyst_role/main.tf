# The analyst: Athena in the analytics workgroup over public Silver and Gold, nothing else. Bronze, the
# quarantine and silver_restricted hold personal data as delivered: no statement here allows them, an
# explicit deny refuses them whatever else is attached to the role, and the PII buckets' own policies
# deny reads to every role not listed (modules/data_lake). The local engine's analyst role
# (`finlake query`, src/finlake/query/sandbox.py) reads the same databases.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  partition = data.aws_partition.current.partition
  region    = data.aws_region.current.region
  glue_arn  = "arn:${local.partition}:glue:${local.region}:${data.aws_caller_identity.current.account_id}"
  trusted   = length(var.trusted_principal_arns) > 0 ? var.trusted_principal_arns : ["arn:${local.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
}

data "aws_iam_policy_document" "assume" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = local.trusted
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = "${var.name_prefix}-analyst"
  description          = "Analysts: Athena (${var.athena_workgroup_name}) over public Silver and Gold; no Bronze, quarantine or silver_restricted."
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  max_session_duration = 3600
}

resource "aws_iam_role_policy" "this" {
  name   = "athena-silver-gold"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

data "aws_iam_policy_document" "this" {
  statement {
    sid    = "QueryInTheAnalyticsWorkgroup"
    effect = "Allow"
    actions = [
      "athena:GetWorkGroup",
      "athena:StartQueryExecution",
      "athena:StopQueryExecution",
      "athena:GetQueryExecution",
      "athena:BatchGetQueryExecution",
      "athena:ListQueryExecutions",
      "athena:GetQueryResults",
      "athena:GetQueryResultsStream",
      "athena:GetNamedQuery",
      "athena:BatchGetNamedQuery",
      "athena:ListNamedQueries",
    ]
    resources = ["arn:${local.partition}:athena:${local.region}:${data.aws_caller_identity.current.account_id}:workgroup/${var.athena_workgroup_name}"]
  }

  statement {
    # Tables and the Gold views (athena/views) of the two databases; Iceberg tables are read through
    # their catalog entry (the current metadata.json).
    sid    = "ReadTheSilverAndGoldCatalog"
    effect = "Allow"
    actions = [
      "glue:GetDatabase",
      "glue:GetTable",
      "glue:GetTables",
      "glue:GetPartition",
      "glue:GetPartitions",
      "glue:BatchGetPartition",
    ]
    resources = [
      "${local.glue_arn}:catalog",
      "${local.glue_arn}:database/${var.silver_database_name}",
      "${local.glue_arn}:database/${var.gold_database_name}",
      "${local.glue_arn}:table/${var.silver_database_name}/*",
      "${local.glue_arn}:table/${var.gold_database_name}/*",
    ]
  }

  statement {
    sid       = "ListSilverAndGold"
    effect    = "Allow"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [var.silver_bucket_arn, var.gold_bucket_arn]
  }

  statement {
    sid       = "ReadSilverAndGoldFiles"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${var.silver_bucket_arn}/*", "${var.gold_bucket_arn}/*"]
  }

  statement {
    sid       = "LocateTheQueryResults"
    effect    = "Allow"
    actions   = ["s3:GetBucketLocation", "s3:ListBucket"]
    resources = [var.athena_results_bucket_arn]
  }

  statement {
    # Athena writes results with the caller's credentials under the workgroup's enforced location.
    sid       = "ReadAndWriteTheQueryResults"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
    resources = ["${var.athena_results_bucket_arn}/${var.athena_results_prefix}*"]
  }

  statement {
    sid       = "UseTheLakeKeyThroughS3AndGlue"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com", "glue.${local.region}.amazonaws.com"]
    }
  }

  statement {
    sid       = "NoBronzeQuarantineOrRestrictedFiles"
    effect    = "Deny"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:ListBucketVersions"]
    resources = flatten([for arn in var.denied_bucket_arns : [arn, "${arn}/*"]])
  }

  statement {
    sid     = "NoBronzeQuarantineOrRestrictedTables"
    effect  = "Deny"
    actions = ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition", "glue:GetTableVersion", "glue:GetTableVersions"]
    resources = flatten([
      for db in var.denied_database_names : ["${local.glue_arn}:database/${db}", "${local.glue_arn}:table/${db}/*"]
    ])
  }
}
