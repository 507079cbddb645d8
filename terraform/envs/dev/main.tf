# The dev environment: one call of the platform module with dev's settings.
module "platform" {
  source = "../../modules/platform"

  project     = "finlake"
  environment = "dev"
  repo_root   = "${path.root}/../../.."

  # Dev: Flex capacity (cheaper spare capacity; a run may start a few minutes late), short retention of replaced objects, 1 GiB Athena cutoff.
  jobs = {
    bronze_to_silver = { worker_type = "G.1X", number_of_workers = 2, execution_class = "FLEX", timeout_minutes = 60, max_retries = 1 }
    silver_to_gold   = { worker_type = "G.1X", number_of_workers = 2, execution_class = "FLEX", timeout_minutes = 60, max_retries = 1 }
  }
  noncurrent_version_expiration_days = 30
  bronze_retention_days              = 400        # 13 months of deliveries; Silver keeps the history (README: erasure and Bronze retention)
  bytes_scanned_cutoff_per_query     = 1073741824 # 1 GiB
  schedule_expression                = "cron(0 2 * * ? *)"
  log_retention_days                 = 365

  # Per deployment (terraform.tfvars)
  extra_tags                         = var.extra_tags
  bucket_name_suffix                 = var.bucket_name_suffix
  force_destroy                      = var.force_destroy
  manage_catalog_encryption_settings = var.manage_catalog_encryption_settings
  schedule_enabled                   = var.schedule_enabled
  enable_quicksight                  = var.enable_quicksight
  enable_quicksight_datasets         = var.enable_quicksight_datasets
  enable_table_optimizers            = var.enable_table_optimizers
  risk_team_group_name               = var.risk_team_group_name
  enable_alerting                    = var.enable_alerting
  dashboard_url                      = var.dashboard_url
}
