data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  suffix = var.bucket_name_suffix == "" ? "" : "-${var.bucket_name_suffix}"

  housekeeping = {
    noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
    transitions                        = []
    expiration_days                    = null
    immutable_for_principal_arns       = []
    read_limited_to_principal_arns     = []
  }

  # Who may read the buckets holding direct identifiers: the Silver job (it writes them and MERGE reads
  # them), the table optimizer (compaction rewrites their files) and the operators named in
  # pii_reader_role_arns. Named as modules/glue_jobs and modules/table_optimizers name their roles
  # (tests/terraform/test_access_roles.py checks it), so the buckets need not wait for the roles.
  role_arn_prefix = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role"
  pii_readers = concat(
    ["${local.role_arn_prefix}/${var.name_prefix}-glue-bronze-to-silver", "${local.role_arn_prefix}/${var.name_prefix}-glue-table-optimizer"],
    var.pii_reader_role_arns,
  )

  # Layer -> bucket settings. Keys are the layer names used by the Glue job arguments (--bronze_root ...).
  buckets = {
    bronze = merge(local.housekeeping, {
      # Bronze is the record of what was delivered: it moves to cheaper storage as it ages, is never
      # deleted or rewritten by the pipeline (every Glue role is named "<name_prefix>-glue-*" and denied
      # that here) and expires after its retention period, a delivery at a time. S3 rejects a rule
      # whose expiration is not later than its transitions, so a transition the retention makes moot is left out.
      transitions = [
        for t in [
          { days = var.bronze_ia_after_days, storage_class = "STANDARD_IA" },
          { days = var.bronze_glacier_ir_after_days, storage_class = "GLACIER_IR" },
        ] : t if t.days < var.bronze_retention_days
      ]
      expiration_days                    = var.bronze_retention_days
      noncurrent_version_expiration_days = var.bronze_noncurrent_version_expiration_days
      immutable_for_principal_arns       = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/${var.name_prefix}-glue-*"]
    })
    silver = local.housekeeping
    gold   = local.housekeeping
    # The two buckets holding direct identifiers: files an erasure deleted (finlake erase-customer)
    # survive as noncurrent versions only this long.
    silver-restricted = merge(local.housekeeping, { noncurrent_version_expiration_days = var.pii_noncurrent_version_expiration_days, read_limited_to_principal_arns = local.pii_readers })
    quarantine        = merge(local.housekeeping, { noncurrent_version_expiration_days = var.pii_noncurrent_version_expiration_days, read_limited_to_principal_arns = local.pii_readers })
    artifacts         = local.housekeeping
    athena-results = merge(local.housekeeping, {
      expiration_days = var.athena_results_expiration_days
    })
  }
}

module "bucket" {
  source   = "../s3_bucket"
  for_each = local.buckets

  bucket_name                        = "${var.name_prefix}-${each.key}${local.suffix}"
  kms_key_arn                        = var.kms_key_arn
  access_log_bucket                  = module.access_logs.name
  transitions                        = each.value.transitions
  expiration_days                    = each.value.expiration_days
  noncurrent_version_expiration_days = each.value.noncurrent_version_expiration_days
  immutable_for_principal_arns       = each.value.immutable_for_principal_arns
  read_limited_to_principal_arns     = each.value.read_limited_to_principal_arns
  force_destroy                      = var.force_destroy
}

# --- access logs --------------------------------------------------------------------------------

module "access_logs" {
  source = "../access_logs_bucket"

  bucket_name           = "${var.name_prefix}-access-logs${local.suffix}"
  source_bucket_pattern = "arn:${data.aws_partition.current.partition}:s3:::${var.name_prefix}-*"
  retention_days        = var.access_log_retention_days
  force_destroy         = var.force_destroy
}
