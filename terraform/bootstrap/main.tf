# Run once per AWS account, before any environment: creates the bucket that holds every
# environment's Terraform state (S3-native locking via use_lockfile, no DynamoDB table) and its key.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  name_prefix = "${var.project}-tfstate"
  suffix      = data.aws_caller_identity.current.account_id
}

module "kms" {
  source = "../modules/kms"

  name_prefix = local.name_prefix
}

module "access_logs" {
  source = "../modules/access_logs_bucket"

  bucket_name           = "${local.name_prefix}-logs-${local.suffix}"
  source_bucket_pattern = "arn:${data.aws_partition.current.partition}:s3:::${local.name_prefix}-${local.suffix}"
}

module "state_bucket" {
  source = "../modules/s3_bucket"

  bucket_name       = "${local.name_prefix}-${local.suffix}"
  kms_key_arn       = module.kms.key_arn
  access_log_bucket = module.access_logs.name
  # Every state version is kept for a year: the way back from a bad apply.
  noncurrent_version_expiration_days = 365
}
