variable "repo_root" {
  description = "Path of the repository checkout (holding glue_jobs/, crawlers/, athena/, quicksight/, dist/), e.g. \"$${path.root}/../../..\" from an env root."
  type        = string

  validation {
    condition     = fileexists("${var.repo_root}/glue_jobs/bronze_to_silver.py")
    error_message = "repo_root must be the repository checkout (glue_jobs/bronze_to_silver.py was not found under it)."
  }
}

variable "project" {
  description = "Project name, first part of every resource name."
  type        = string
  default     = "finlake"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,15}$", var.project))
    error_message = "project must be 2-16 lower-case letters or digits, starting with a letter."
  }
}

variable "environment" {
  description = "Environment name, second part of every resource name."
  type        = string

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be dev or prod."
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

variable "noncurrent_version_expiration_days" {
  description = "Days replaced object versions are kept in the Silver, Gold and other non-Bronze buckets."
  type        = number
  default     = 30
}

variable "bronze_retention_days" {
  description = "Days a Bronze delivery is kept before S3 expires it (raw rows, PII included, leave Bronze when their delivery ages out; Silver keeps the history)."
  type        = number
  default     = 2557 # 7 years

  validation {
    condition     = var.bronze_retention_days >= 30 && floor(var.bronze_retention_days) == var.bronze_retention_days
    error_message = "bronze_retention_days must be a whole number of days, at least 30."
  }
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

variable "wheel_path" {
  description = "Path to the finlake wheel built by `make wheel`; null: <repo_root>/dist/finlake-<pyproject.toml version>-py3-none-any.whl."
  type        = string
  default     = null
}

variable "extra_python_modules" {
  description = "Extra pip requirements for the Glue jobs besides the finlake wheel."
  type        = list(string)
  default     = []
}

variable "jobs" {
  description = "Capacity and run policy per Glue job (bronze_to_silver, silver_to_gold); an attribute left out takes modules/glue_jobs' default, which also validates them."
  type = map(object({
    worker_type       = optional(string)
    number_of_workers = optional(number)
    execution_class   = optional(string)
    timeout_minutes   = optional(number)
    max_retries       = optional(number)
  }))
  default = { bronze_to_silver = {}, silver_to_gold = {} }
}

variable "schedule_expression" {
  description = "When the pipeline starts (Glue cron, UTC)."
  type        = string
  default     = "cron(0 2 * * ? *)"
}

variable "schedule_enabled" {
  description = "Whether the pipeline's schedule is active."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of every CloudWatch log group (a year: audit trail of a bank's data pipeline)."
  type        = number
  default     = 365
}

variable "bytes_scanned_cutoff_per_query" {
  description = "Athena per-query scan limit in bytes."
  type        = number
  default     = 1073741824 # 1 GiB
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
  description = "Create the Glue table optimizers (compaction, snapshot retention, orphan-file deletion) on every Iceberg table: false until the first pipeline run has created the tables."
  type        = bool
  default     = false
}

variable "risk_team_group_name" {
  description = "QuickSight group granted the risk dashboard."
  type        = string
  default     = "risk-team"
}

variable "dashboard_definition_file" {
  description = "QuickSight dashboard definition; null: <repo_root>/quicksight/dashboard.yaml."
  type        = string
  default     = null
}

variable "pii_reader_role_arns" {
  description = "IAM role ARNs that may read the silver-restricted and quarantine buckets besides the Silver job and table-optimizer roles (e.g. the operator role running finlake erase-customer); everyone else is denied by the bucket policies."
  type        = list(string)
  default     = []
}

variable "analyst_trusted_principal_arns" {
  description = "Principals that may assume the analyst role (<name_prefix>-analyst: Athena over Silver and Gold only). Empty: any principal of the account allowed to by its own policy."
  type        = list(string)
  default     = []
}

variable "enable_alerting" {
  description = "Create the high-risk alerting function (needs `make package-lambda` first)."
  type        = bool
  default     = false
}

variable "enable_streaming" {
  description = "Create the real-time transaction monitor (Kinesis, Lambda, Firehose to Bronze); needs enable_alerting (its topic) and `make package-lambda`."
  type        = bool
  default     = false
}

variable "enable_serving" {
  description = "Create the real-time scoring API (Lambda + function URL, DynamoDB features, request log; needs `make package-serving`)."
  type        = bool
  default     = false
}

variable "serving_package_file" {
  description = "Scoring Lambda zip built by `make package-serving`; null: <repo_root>/dist/serving.zip."
  type        = string
  default     = null
}

variable "serving_live_version" {
  description = "Lambda version the scoring API's `live` alias serves; empty: the version the apply published (roll back: the previous number)."
  type        = string
  default     = ""
}

variable "lambda_package_file" {
  description = "Alert Lambda zip built by `make package-lambda`; null: <repo_root>/dist/high_risk_alert.zip."
  type        = string
  default     = null
}

variable "dashboard_url" {
  description = "Dashboard link included in alerts (empty: the QuickSight dashboard of this environment)."
  type        = string
  default     = ""
}

variable "alert_schedule_expression" {
  description = "When the alert function runs (EventBridge schedule expression)."
  type        = string
  default     = "cron(30 6 * * ? *)"
}
