# Everything one environment needs, wired together once; envs/dev and envs/prod call this module with
# their own settings (sizes, retention, cutoffs) and keep only the backend and provider themselves.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  name_prefix = "${var.project}-${var.environment}"
  repo_root   = var.repo_root

  # `make wheel` names the wheel after pyproject.toml's version: read there, so a release edits one file.
  finlake_version = regex("(?m)^version\\s*=\\s*\"([^\"]+)\"", file("${local.repo_root}/pyproject.toml"))[0]

  # Build outputs default to the repository's dist/ and quicksight/ folders.
  wheel_path                = coalesce(var.wheel_path, "${local.repo_root}/dist/finlake-${local.finlake_version}-py3-none-any.whl")
  dashboard_definition_file = coalesce(var.dashboard_definition_file, "${local.repo_root}/quicksight/dashboard.yaml")
  lambda_package_file       = coalesce(var.lambda_package_file, "${local.repo_root}/dist/high_risk_alert.zip")
}

module "kms" {
  source = "../kms"

  name_prefix = local.name_prefix
}

module "data_lake" {
  source = "../data_lake"

  name_prefix                        = local.name_prefix
  bucket_name_suffix                 = var.bucket_name_suffix
  kms_key_arn                        = module.kms.key_arn
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
  bronze_retention_days              = var.bronze_retention_days
  pii_reader_role_arns               = var.pii_reader_role_arns
  force_destroy                      = var.force_destroy
}

module "glue_catalog" {
  source = "../glue_catalog"

  name_prefix                        = local.name_prefix
  kms_key_arn                        = module.kms.key_arn
  manage_catalog_encryption_settings = var.manage_catalog_encryption_settings
}

module "glue_jobs" {
  source = "../glue_jobs"

  name_prefix                 = local.name_prefix
  kms_key_arn                 = module.kms.key_arn
  bucket_names                = module.data_lake.bucket_names
  database_prefix             = module.glue_catalog.database_prefix
  security_configuration_name = module.glue_catalog.security_configuration_name
  scripts_dir                 = "${local.repo_root}/glue_jobs"
  wheel_path                  = local.wheel_path
  extra_python_modules        = var.extra_python_modules
  jobs                        = var.jobs
  log_retention_days          = var.log_retention_days
}

module "crawlers" {
  source = "../crawlers"

  name_prefix                 = local.name_prefix
  crawlers_dir                = "${local.repo_root}/crawlers"
  bucket_names                = module.data_lake.bucket_names
  database_names              = module.glue_catalog.database_names
  kms_key_arn                 = module.kms.key_arn
  security_configuration_name = module.glue_catalog.security_configuration_name
  log_retention_days          = var.log_retention_days
}

# Compaction, snapshot retention and orphan-file deletion on every Iceberg table: enable after the
# first pipeline run has created the tables (README, first apply).
module "table_optimizers" {
  source = "../table_optimizers"

  name_prefix     = local.name_prefix
  enable          = var.enable_table_optimizers
  kms_key_arn     = module.kms.key_arn
  bucket_names    = module.data_lake.bucket_names
  database_prefix = module.glue_catalog.database_prefix
  # Account-wide log groups, like the catalog encryption settings: one root module per account owns them.
  create_log_groups  = var.manage_catalog_encryption_settings
  log_retention_days = var.log_retention_days

  # The tables exist only after a job run, and a job runs only once its databases do.
  depends_on = [module.glue_catalog]
}

module "glue_workflow" {
  source = "../glue_workflow"

  name_prefix         = local.name_prefix
  job_names           = module.glue_jobs.job_names
  crawler_names       = values(module.crawlers.crawler_names)
  schedule_expression = var.schedule_expression
  schedule_enabled    = var.schedule_enabled
}

module "athena" {
  source = "../athena"

  name_prefix                    = local.name_prefix
  results_bucket_name            = module.data_lake.bucket_names["athena-results"]
  kms_key_arn                    = module.kms.key_arn
  database_names                 = module.glue_catalog.database_names
  queries_dir                    = "${local.repo_root}/athena"
  bytes_scanned_cutoff_per_query = var.bytes_scanned_cutoff_per_query
}

# Analysts query public Silver and Gold in the workgroup; Bronze, quarantine and silver_restricted are
# denied to them (and the latter two readable only by named roles, modules/data_lake).
module "analyst_role" {
  source = "../analyst_role"

  name_prefix               = local.name_prefix
  trusted_principal_arns    = var.analyst_trusted_principal_arns
  athena_workgroup_name     = module.athena.workgroup_name
  athena_results_bucket_arn = module.data_lake.bucket_arns["athena-results"]
  athena_results_prefix     = "${module.athena.workgroup_name}/"
  silver_bucket_arn         = module.data_lake.bucket_arns["silver"]
  gold_bucket_arn           = module.data_lake.bucket_arns["gold"]
  silver_database_name      = module.glue_catalog.database_names["silver"]
  gold_database_name        = module.glue_catalog.database_names["gold"]
  denied_bucket_arns        = [for layer in ["bronze", "quarantine", "silver-restricted"] : module.data_lake.bucket_arns[layer]]
  denied_database_names     = [for layer in ["bronze", "quarantine", "silver_restricted"] : module.glue_catalog.database_names[layer]]
  kms_key_arn               = module.kms.key_arn
}

module "quicksight" {
  source = "../quicksight"
  count  = var.enable_quicksight ? 1 : 0

  name_prefix               = local.name_prefix
  tags                      = var.extra_tags
  aws_account_id            = data.aws_caller_identity.current.account_id
  athena_workgroup_name     = module.athena.workgroup_name
  gold_database_name        = module.glue_catalog.database_names["gold"]
  risk_team_group_name      = var.risk_team_group_name
  dashboard_definition_file = local.dashboard_definition_file
  create_datasets           = var.enable_quicksight_datasets
  kms_key_arn               = module.kms.key_arn
}

module "alerting" {
  source = "../alerting"
  count  = var.enable_alerting ? 1 : 0

  name_prefix               = local.name_prefix
  tags                      = var.extra_tags
  kms_key_arn               = module.kms.key_arn
  athena_workgroup_name     = module.athena.workgroup_name
  athena_results_bucket_arn = module.data_lake.bucket_arns["athena-results"]
  gold_database_name        = module.glue_catalog.database_names["gold"]
  gold_bucket_arn           = module.data_lake.bucket_arns["gold"]
  lambda_package_file       = local.lambda_package_file
  dashboard_url             = coalesce(var.dashboard_url, "https://${data.aws_region.current.region}.quicksight.aws.amazon.com/sn/dashboards/${local.name_prefix}-risk")
  schedule_expression       = var.alert_schedule_expression
  log_retention_days        = var.log_retention_days
}

module "streaming" {
  source = "../streaming"
  count  = var.enable_streaming ? 1 : 0

  name_prefix         = local.name_prefix
  tags                = var.extra_tags
  kms_key_arn         = module.kms.key_arn
  alert_topic_arn     = one(module.alerting[*].topic_arn)
  bronze_bucket_arn   = module.data_lake.bucket_arns["bronze"]
  lambda_package_file = "${local.repo_root}/dist/transaction_monitor.zip"
  log_retention_days  = var.log_retention_days

  alert_archive_bucket_arn    = module.data_lake.bucket_arns["gold"]
  alert_archive_database_name = module.glue_catalog.database_names["gold"]
  fx_rates_uri                = "${module.glue_jobs.state_root}fx_rates.json" # written by the Silver job
}

module "serving" {
  source = "../serving"
  count  = var.enable_serving ? 1 : 0

  name_prefix        = local.name_prefix
  tags               = var.extra_tags
  kms_key_arn        = module.kms.key_arn
  package_file       = coalesce(var.serving_package_file, "${local.repo_root}/dist/serving.zip")
  live_version       = var.serving_live_version
  log_bucket_arn     = module.data_lake.bucket_arns["gold"]
  log_bucket_name    = module.data_lake.bucket_names["gold"]
  database_name      = module.glue_catalog.database_names["gold"]
  log_retention_days = var.log_retention_days
}
