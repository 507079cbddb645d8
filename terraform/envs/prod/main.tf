data "aws_caller_identity" "current" {}

locals {
  name_prefix = "${var.project}-${var.environment}"
  repo_root   = "${path.root}/../../.."
}

module "kms" {
  source = "../../modules/kms"

  name_prefix = local.name_prefix
}

module "data_lake" {
  source = "../../modules/data_lake"

  name_prefix                        = local.name_prefix
  bucket_name_suffix                 = var.bucket_name_suffix
  kms_key_arn                        = module.kms.key_arn
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
  force_destroy                      = var.force_destroy
}

module "glue_catalog" {
  source = "../../modules/glue_catalog"

  name_prefix                        = local.name_prefix
  kms_key_arn                        = module.kms.key_arn
  manage_catalog_encryption_settings = var.manage_catalog_encryption_settings
}

module "glue_jobs" {
  source = "../../modules/glue_jobs"

  name_prefix                 = local.name_prefix
  kms_key_arn                 = module.kms.key_arn
  bucket_names                = module.data_lake.bucket_names
  database_names              = module.glue_catalog.database_names
  security_configuration_name = module.glue_catalog.security_configuration_name
  scripts_dir                 = "${local.repo_root}/glue_jobs"
  wheel_path                  = var.wheel_path
  extra_python_modules        = var.extra_python_modules
  bronze_to_silver            = var.bronze_to_silver
  silver_to_gold              = var.silver_to_gold
  log_retention_days          = var.log_retention_days
}

module "crawlers" {
  source = "../../modules/crawlers"

  name_prefix                 = local.name_prefix
  crawlers_dir                = "${local.repo_root}/crawlers"
  bucket_names                = module.data_lake.bucket_names
  database_names              = module.glue_catalog.database_names
  kms_key_arn                 = module.kms.key_arn
  security_configuration_name = module.glue_catalog.security_configuration_name
  log_retention_days          = var.log_retention_days
}

module "glue_workflow" {
  source = "../../modules/glue_workflow"

  name_prefix         = local.name_prefix
  job_names           = module.glue_jobs.job_names
  crawler_names       = values(module.crawlers.crawler_names)
  schedule_expression = var.schedule_expression
  schedule_enabled    = var.schedule_enabled
}

module "athena" {
  source = "../../modules/athena"

  name_prefix                    = local.name_prefix
  results_bucket_name            = module.data_lake.bucket_names["athena-results"]
  kms_key_arn                    = module.kms.key_arn
  database_names                 = module.glue_catalog.database_names
  queries_dir                    = "${local.repo_root}/athena"
  bytes_scanned_cutoff_per_query = var.bytes_scanned_cutoff_per_query
}

module "quicksight" {
  source = "../../modules/quicksight"
  count  = var.enable_quicksight ? 1 : 0

  name_prefix               = local.name_prefix
  tags                      = var.extra_tags
  aws_account_id            = data.aws_caller_identity.current.account_id
  athena_workgroup_name     = module.athena.workgroup_name
  gold_database_name        = module.glue_catalog.database_names["gold"]
  risk_team_group_name      = var.risk_team_group_name
  dashboard_definition_file = var.dashboard_definition_file
}

module "alerting" {
  source = "../../modules/alerting"
  count  = var.enable_alerting ? 1 : 0

  name_prefix               = local.name_prefix
  tags                      = var.extra_tags
  kms_key_arn               = module.kms.key_arn
  athena_workgroup_name     = module.athena.workgroup_name
  athena_results_bucket_arn = module.data_lake.bucket_arns["athena-results"]
  gold_database_name        = module.glue_catalog.database_names["gold"]
  gold_bucket_arn           = module.data_lake.bucket_arns["gold"]
  lambda_package_file       = var.lambda_package_file
  dashboard_url             = coalesce(var.dashboard_url, "https://${var.region}.quicksight.aws.amazon.com/sn/dashboards/${local.name_prefix}-risk")
  schedule_expression       = var.alert_schedule_expression
  log_retention_days        = var.log_retention_days
}
