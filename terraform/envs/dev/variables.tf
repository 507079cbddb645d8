# What an operator sets per deployment (terraform.tfvars). The environment's sizing and policies
# (job capacity, retention, Athena cutoff) are in main.tf, reviewed like code.
# The same for every environment: envs/prod/variables.tf is a symlink to this file (a root module
# must declare the variables its tfvars set, so a shared child module could not hold them).

variable "region" {
  description = "AWS region of every resource."
  type        = string
  default     = "eu-central-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-central-1."
  }
}

variable "extra_tags" {
  description = "Tags added to every resource besides Project, Environment and ManagedBy (e.g. CostCenter, Owner)."
  type        = map(string)
  default     = {}
}

variable "bucket_name_suffix" {
  description = "Suffix making bucket names globally unique (e.g. the account ID); empty for none."
  type        = string
  default     = ""
}

variable "force_destroy" {
  description = "Let terraform destroy delete non-empty buckets. Only for throw-away environments."
  type        = bool
  default     = false
}

variable "manage_catalog_encryption_settings" {
  description = "Manage the account-wide Glue Data Catalog encryption settings from this environment (false if another environment in the same account and region does)."
  type        = bool
  default     = true
}

variable "schedule_enabled" {
  description = "Whether the pipeline's schedule is active."
  type        = bool
  default     = true
}

variable "enable_quicksight" {
  description = "Create the QuickSight dashboard (needs a QuickSight Enterprise subscription in the account)."
  type        = bool
  default     = false
}

variable "enable_quicksight_datasets" {
  description = "Create the QuickSight datasets and dashboard: false until the first pipeline run and `finlake athena-views` have created the Gold views they select from."
  type        = bool
  default     = false
}

variable "enable_table_optimizers" {
  description = "Create the Glue table optimizers on every Iceberg table: set true after the first pipeline run has created the tables."
  type        = bool
  default     = false
}

variable "risk_team_group_name" {
  description = "QuickSight group granted the risk dashboard."
  type        = string
  default     = "risk-team"
}

variable "enable_alerting" {
  description = "Create the high-risk alerting function (needs `make package-lambda` first)."
  type        = bool
  default     = false
}

variable "dashboard_url" {
  description = "Dashboard link included in alerts (empty: the QuickSight dashboard of this environment)."
  type        = string
  default     = ""
}
