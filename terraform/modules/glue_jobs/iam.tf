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
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [local.bucket_arn["artifacts"]]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["glue/*", "_runs", "_runs/*", "_state", "_state/*", "_tmp/*", "_spark-logs/*"]
    }
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
    # Publishing a new table version replaces objects, hence delete on the layers the job owns.
    sid     = "WriteSilverAndQuarantine"
    effect  = "Allow"
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
    resources = [
      "${local.bucket_arn["silver"]}/*",
      "${local.bucket_arn["silver-restricted"]}/*",
      "${local.bucket_arn["quarantine"]}/*",
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
    sid       = "WriteGold"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
    resources = ["${local.bucket_arn["gold"]}/*"]
  }
}
