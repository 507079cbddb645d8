# One role per job. Each may touch exactly the buckets and prefixes its script reads and writes,
# and the lake's key. Bronze is read-only for both and explicitly denied delete and overwrite.
#
# Iceberg on the Glue Data Catalog (GlueCatalog + S3FileIO): a table is read with glue:GetTable (the
# current metadata.json location), then its metadata/ and data/ files; a commit writes new files
# under data/ and metadata/ and swaps the metadata location with glue:UpdateTable (optimistic lock on
# the table version); the first run creates each table (glue:CreateTable) in the database Terraform
# made (CREATE NAMESPACE IF NOT EXISTS only reads it: glue:GetDatabase). DeleteObject: a failed
# commit removes its own files and each commit drops metadata files beyond the kept history
# (write.metadata.delete-after-commit). No job drops a table or a database: no glue:Delete*.

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
    sid       = "ListBronze"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arn["bronze"]]
  }

  statement {
    sid       = "ReadBronze"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${local.bucket_arn["bronze"]}/*"]
  }

  statement {
    sid     = "ListTheSilverTables"
    effect  = "Allow"
    actions = ["s3:ListBucket"]
    resources = [
      module.iceberg_tables.bucket_arns["silver"],
      module.iceberg_tables.bucket_arns["silver_restricted"],
      module.iceberg_tables.bucket_arns["quarantine"],
    ]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = concat(module.iceberg_tables.list_prefixes["silver"], module.iceberg_tables.list_prefixes["silver_restricted"], module.iceberg_tables.list_prefixes["quarantine"])
    }
  }

  statement {
    # The files of silver.*, silver_restricted.customer_pii and quarantine.*: <table>/data/ and <table>/metadata/.
    sid       = "ReadAndWriteTheSilverTableFiles"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
    resources = concat(module.iceberg_tables.object_arns["silver"], module.iceberg_tables.object_arns["silver_restricted"], module.iceberg_tables.object_arns["quarantine"])
  }

  statement {
    # Table calls are authorised on catalog, database and table together (modules/iceberg_tables).
    sid       = "CommitTheSilverTables"
    effect    = "Allow"
    actions   = ["glue:GetDatabase", "glue:GetTable", "glue:CreateTable", "glue:UpdateTable"]
    resources = concat(module.iceberg_tables.glue_resources["silver"], module.iceberg_tables.glue_resources["silver_restricted"], module.iceberg_tables.glue_resources["quarantine"])
  }
}

data "aws_iam_policy_document" "silver_to_gold" {
  source_policy_documents = [data.aws_iam_policy_document.job_common.json]

  # No access to silver_restricted or the quarantine: Gold carries no direct identifiers, so its job
  # never sees them. Silver is read at the snapshots the Silver run recorded; only Gold is written.
  statement {
    sid       = "ListTheSilverAndGoldTables"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [module.iceberg_tables.bucket_arns["silver"], module.iceberg_tables.bucket_arns["gold"]]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = concat(module.iceberg_tables.list_prefixes["silver"], module.iceberg_tables.list_prefixes["gold"])
    }
  }

  statement {
    sid       = "ReadTheSilverTableFiles"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = module.iceberg_tables.object_arns["silver"]
  }

  statement {
    sid       = "ReadTheSilverTables"
    effect    = "Allow"
    actions   = ["glue:GetDatabase", "glue:GetTable"]
    resources = module.iceberg_tables.glue_resources["silver"]
  }

  statement {
    # Write-audit-publish: audit branches, fast-forward of main and branch drops are commits too.
    sid       = "ReadAndWriteTheGoldTableFiles"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
    resources = module.iceberg_tables.object_arns["gold"]
  }

  statement {
    # customer_risk_scores is created empty here on the first run; scoring commits to it afterwards.
    sid       = "CommitTheGoldTables"
    effect    = "Allow"
    actions   = ["glue:GetDatabase", "glue:GetTable", "glue:CreateTable", "glue:UpdateTable"]
    resources = module.iceberg_tables.glue_resources["gold"]
  }
}
