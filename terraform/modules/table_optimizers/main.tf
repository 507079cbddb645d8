# AWS Glue Data Catalog table optimizers on every Iceberg table of the lake: compaction, snapshot
# retention and orphan-file deletion (what `finlake maintain` does locally, src/finlake/maintenance.py).
# An optimizer belongs to a table, and the tables are created by the jobs' first run, not by
# Terraform: so the optimizers exist only once `enable` is true (apply, run the pipeline once, then
# apply again with enable = true). The role the optimizers assume is created from the first apply.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.region
  role_name  = "${var.name_prefix}-glue-table-optimizer"

  types = ["compaction", "retention", "orphan_file_deletion"]

  # "<layer>.<table>/<type>" -> the table and the optimizer type, for every table once enabled.
  optimizers = var.enable ? {
    for pair in setproduct(keys(module.iceberg_tables.table_map), local.types) :
    "${pair[0]}/${pair[1]}" => merge(module.iceberg_tables.table_map[pair[0]], { type = pair[1] })
  } : {}

  # Where each optimizer type logs (fixed by Glue, one group per account and region).
  log_groups = {
    compaction           = "/aws-glue/iceberg-compaction/logs"
    retention            = "/aws-glue/iceberg-retention/logs"
    orphan_file_deletion = "/aws-glue/iceberg-orphan-file-deletion/logs"
  }
  log_group_arn = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group"
}

module "iceberg_tables" {
  source = "../iceberg_tables"

  partition       = local.partition
  region          = local.region
  account_id      = local.account_id
  database_prefix = var.database_prefix
  bucket_names    = var.bucket_names
}

resource "aws_glue_catalog_table_optimizer" "this" {
  for_each = local.optimizers

  catalog_id    = local.account_id
  database_name = each.value.database
  table_name    = each.value.table
  type          = each.value.type

  configuration {
    role_arn = aws_iam_role.this.arn
    enabled  = true

    dynamic "compaction_configuration" {
      for_each = each.value.type == "compaction" ? [1] : []
      content {
        iceberg_configuration {
          strategy        = "binpack"
          min_input_files = var.compaction_min_input_files
        }
      }
    }

    dynamic "retention_configuration" {
      for_each = each.value.type == "retention" ? [1] : []
      content {
        iceberg_configuration {
          snapshot_retention_period_in_days = var.snapshot_retention_days
          number_of_snapshots_to_retain     = var.snapshots_to_retain
          clean_expired_files               = true
          run_rate_in_hours                 = var.run_rate_in_hours
        }
      }
    }

    dynamic "orphan_file_deletion_configuration" {
      for_each = each.value.type == "orphan_file_deletion" ? [1] : []
      content {
        iceberg_configuration {
          # Only files older than this are touched, so a commit in flight is never robbed of its files.
          orphan_file_retention_period_in_days = var.orphan_file_retention_days
          location                             = each.value.location
          run_rate_in_hours                    = var.run_rate_in_hours
        }
      }
    }
  }

  # The role's policy must be in place before Glue validates the role.
  depends_on = [aws_iam_role_policy.this]
}

# Glue writes the optimizers' runs here; created with a retention and the key (else Glue creates them
# without either). Account-wide names: one root module per account and region owns them.
resource "aws_cloudwatch_log_group" "this" {
  for_each = var.create_log_groups ? local.log_groups : {}

  name              = each.value
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

# --- IAM: the role Glue assumes to optimize the tables -------------------------------------------

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

resource "aws_iam_role" "this" {
  name                 = local.role_name
  description          = "Assumed by the Glue Data Catalog to compact, expire snapshots of and delete orphan files of the finlake Iceberg tables (${var.name_prefix})."
  assume_role_policy   = data.aws_iam_policy_document.assume_glue.json
  max_session_duration = 3600
}

resource "aws_iam_role_policy" "this" {
  name   = "least-privilege"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

# What the Glue documentation asks for ("Table optimization prerequisites"), narrowed to the lake's
# Iceberg tables: their files (compaction rewrites, retention and orphan deletion delete), their
# catalog entries (compaction and retention commit), the lake key, and the three log groups. Bronze
# is out of reach twice over: nothing here names it, and its bucket policy denies every
# "<name_prefix>-glue-*" role (this one included) delete and overwrite.
data "aws_iam_policy_document" "this" {
  statement {
    sid     = "ListTheTables"
    effect  = "Allow"
    actions = ["s3:ListBucket"]
    resources = [
      module.iceberg_tables.bucket_arns["silver"],
      module.iceberg_tables.bucket_arns["silver_restricted"],
      module.iceberg_tables.bucket_arns["quarantine"],
      module.iceberg_tables.bucket_arns["gold"],
    ]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = concat(module.iceberg_tables.list_prefixes["silver"], module.iceberg_tables.list_prefixes["silver_restricted"], module.iceberg_tables.list_prefixes["quarantine"], module.iceberg_tables.list_prefixes["gold"])
    }
  }

  statement {
    sid     = "LocateTheBuckets"
    effect  = "Allow"
    actions = ["s3:GetBucketLocation"]
    resources = [
      module.iceberg_tables.bucket_arns["silver"],
      module.iceberg_tables.bucket_arns["silver_restricted"],
      module.iceberg_tables.bucket_arns["quarantine"],
      module.iceberg_tables.bucket_arns["gold"],
    ]
  }

  statement {
    sid       = "RewriteAndDeleteTheTableFiles"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
    resources = concat(module.iceberg_tables.object_arns["silver"], module.iceberg_tables.object_arns["silver_restricted"], module.iceberg_tables.object_arns["quarantine"], module.iceberg_tables.object_arns["gold"])
  }

  statement {
    sid       = "CommitTheTables"
    effect    = "Allow"
    actions   = ["glue:GetDatabase", "glue:GetTable", "glue:UpdateTable"]
    resources = concat(module.iceberg_tables.glue_resources["silver"], module.iceberg_tables.glue_resources["silver_restricted"], module.iceberg_tables.glue_resources["quarantine"], module.iceberg_tables.glue_resources["gold"])
  }

  statement {
    # Every file is SSE-KMS under the lake key; the catalog itself is encrypted with it too.
    sid       = "UseTheLakeKey"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [var.kms_key_arn]
  }

  statement {
    sid     = "WriteOptimizerLogs"
    effect  = "Allow"
    actions = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [
      "${local.log_group_arn}:/aws-glue/iceberg-compaction/logs:*",
      "${local.log_group_arn}:/aws-glue/iceberg-retention/logs:*",
      "${local.log_group_arn}:/aws-glue/iceberg-orphan-file-deletion/logs:*",
    ]
  }
}
