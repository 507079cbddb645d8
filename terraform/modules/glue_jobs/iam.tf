# One role per job. Each may touch exactly the buckets and prefixes its script reads and writes,
# and the lake's key. Bronze is read-only for both and explicitly denied delete and overwrite.

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

resource "aws_iam_role" "job" {
  for_each = local.job_settings

  name                 = "${var.name_prefix}-glue-${replace(each.key, "_", "-")}"
  description          = "Runs the ${local.job_names[each.key]} Glue job."
  assume_role_policy   = data.aws_iam_policy_document.assume_glue.json
  max_session_duration = 3600
}

resource "aws_iam_role_policy" "job" {
  for_each = local.job_settings

  name   = "least-privilege"
  role   = aws_iam_role.job[each.key].id
  policy = each.key == "bronze_to_silver" ? data.aws_iam_policy_document.bronze_to_silver.json : data.aws_iam_policy_document.silver_to_gold.json
}

# What both jobs need: their code, run reports and state, temp space, the key, logs and metrics.
data "aws_iam_policy_document" "job_common" {
  statement {
    sid       = "ListArtifactPrefixes"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arn["artifacts"]]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["glue/*", "_runs", "_runs/*", "_state", "_state/*", "_tmp/*", "_spark-logs/*"]
    }
  }

  # Bucket-level calls that send no s3:prefix (a prefix condition would deny them): where a bucket
  # is, and the key of its default encryption, which run reports and state are written with
  # (src/finlake/textstore.py).
  statement {
    sid     = "LocateTheLakeBucketsAndTheirKey"
    effect  = "Allow"
    actions = ["s3:GetBucketLocation", "s3:GetEncryptionConfiguration"]
    resources = [
      local.bucket_arn["artifacts"],
      local.bucket_arn["silver"],
      local.bucket_arn["silver-restricted"],
      local.bucket_arn["gold"],
      local.bucket_arn["quarantine"],
    ]
  }

  statement {
    sid       = "ReadCodeAndWheel"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${local.bucket_arn["artifacts"]}/glue/*"]
  }

  statement {
    sid     = "WriteRunReportsStateAndTemp"
    effect  = "Allow"
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
    resources = [
      "${local.bucket_arn["artifacts"]}/_runs/*",
      "${local.bucket_arn["artifacts"]}/_state/*",
      "${local.bucket_arn["artifacts"]}/_tmp/*",
      "${local.bucket_arn["artifacts"]}/_spark-logs/*",
    ]
  }

  statement {
    sid       = "UseTheLakeKey"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [var.kms_key_arn]
  }

  statement {
    sid    = "WriteGlueJobLogs"
    effect = "Allow"
    actions = [
      "logs:CreateLogGroup",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "logs:AssociateKmsKey",
    ]
    resources = [
      "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws-glue/jobs/*",
      "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws-glue/jobs/*:log-stream:*",
    ]
  }

  statement {
    # PutMetricData has no resource-level permissions; the namespace condition confines it to Glue's.
    sid       = "PublishGlueMetrics"
    effect    = "Allow"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = ["Glue"]
    }
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
    resources = [local.bucket_arn["bronze"], "${local.bucket_arn["bronze"]}/*"]
  }
}

data "aws_iam_policy_document" "bronze_to_silver" {
  source_policy_documents = [data.aws_iam_policy_document.job_common.json]

  statement {
    sid     = "ListLayerBuckets"
    effect  = "Allow"
    actions = ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"]
    resources = [
      local.bucket_arn["bronze"],
      local.bucket_arn["silver"],
      local.bucket_arn["silver-restricted"],
      local.bucket_arn["quarantine"],
    ]
  }

  statement {
    sid       = "ReadBronze"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${local.bucket_arn["bronze"]}/*"]
  }

  statement {
    # Current versions are found through <table>/_CURRENT, then read under _versions/.
    sid     = "ReadSilverAndQuarantine"
    effect  = "Allow"
    actions = ["s3:GetObject"]
    resources = [
      "${local.bucket_arn["silver"]}/*",
      "${local.bucket_arn["silver-restricted"]}/*",
      "${local.bucket_arn["quarantine"]}/*",
    ]
  }

  statement {
    # A publish writes a new version under _versions/ and deletes versions nothing points at any more
    # (src/finlake/publish_s3.py): delete is confined to _versions/, the only place data is written.
    sid     = "WriteTableVersions"
    effect  = "Allow"
    actions = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
    resources = [
      "${local.bucket_arn["silver"]}/_versions/*",
      "${local.bucket_arn["silver-restricted"]}/_versions/*",
      "${local.bucket_arn["quarantine"]}/_versions/*",
    ]
  }

  statement {
    # The pointer each publish writes last (one PUT replaces it; never deleted).
    sid     = "WriteCurrentPointers"
    effect  = "Allow"
    actions = ["s3:PutObject"]
    resources = [
      "${local.bucket_arn["silver"]}/*/_CURRENT",
      "${local.bucket_arn["silver-restricted"]}/*/_CURRENT",
      "${local.bucket_arn["quarantine"]}/*/_CURRENT",
    ]
  }

  statement {
    # Repoint the Silver tables at each new version: exactly the Glue calls src/finlake/publish_s3.py
    # makes (GetTable/GetPartitions to see where they point, CreateTable on the first publish, batch
    # partition calls for rewritten partitions, BatchDeletePartition when a full rewrite drops one).
    # Table calls are authorised on catalog, database and table together. The tables are the ones
    # the job publishes and crawlers/silver.yaml lists (tests/terraform checks the three agree).
    sid    = "RepointSilverTables"
    effect = "Allow"
    actions = [
      "glue:GetTable",
      "glue:CreateTable",
      "glue:UpdateTable",
      "glue:GetPartitions",
      "glue:BatchCreatePartition",
      "glue:BatchUpdatePartition",
      "glue:BatchDeletePartition",
    ]
    resources = [
      "${local.glue_arn}:catalog",
      "${local.glue_arn}:database/${var.database_names["silver"]}",
      "${local.glue_arn}:table/${var.database_names["silver"]}/customers",
      "${local.glue_arn}:table/${var.database_names["silver"]}/accounts",
      "${local.glue_arn}:table/${var.database_names["silver"]}/loans",
      "${local.glue_arn}:table/${var.database_names["silver"]}/transactions",
    ]
  }
}

data "aws_iam_policy_document" "silver_to_gold" {
  source_policy_documents = [data.aws_iam_policy_document.job_common.json]

  # No access to silver-restricted: Gold carries no direct identifiers, so its job never sees them.
  statement {
    sid       = "ListLayerBuckets"
    effect    = "Allow"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"]
    resources = [local.bucket_arn["silver"], local.bucket_arn["gold"]]
  }

  statement {
    sid       = "ReadSilver"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${local.bucket_arn["silver"]}/*"]
  }

  statement {
    sid       = "ReadGold"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${local.bucket_arn["gold"]}/*"]
  }

  statement {
    # As for Silver: new versions under _versions/, deletes confined there.
    sid       = "WriteTableVersions"
    effect    = "Allow"
    actions   = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
    resources = ["${local.bucket_arn["gold"]}/_versions/*"]
  }

  statement {
    sid       = "WriteCurrentPointers"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = ["${local.bucket_arn["gold"]}/*/_CURRENT"]
  }

  statement {
    # As for Silver; the tables are the ones the job publishes and crawlers/gold.yaml lists.
    sid    = "RepointGoldTables"
    effect = "Allow"
    actions = [
      "glue:GetTable",
      "glue:CreateTable",
      "glue:UpdateTable",
      "glue:GetPartitions",
      "glue:BatchCreatePartition",
      "glue:BatchUpdatePartition",
      "glue:BatchDeletePartition",
    ]
    resources = [
      "${local.glue_arn}:catalog",
      "${local.glue_arn}:database/${var.database_names["gold"]}",
      "${local.glue_arn}:table/${var.database_names["gold"]}/customer_loan_summary",
      "${local.glue_arn}:table/${var.database_names["gold"]}/loan_features",
      "${local.glue_arn}:table/${var.database_names["gold"]}/account_monthly_activity",
      "${local.glue_arn}:table/${var.database_names["gold"]}/compliance_cash_alerts",
      "${local.glue_arn}:table/${var.database_names["gold"]}/product_recommendations",
      "${local.glue_arn}:table/${var.database_names["gold"]}/customer_risk_scores",
    ]
  }
}
