variable "name_prefix" {
  description = "Prefix of every resource name, `<project>-<env>` (e.g. finlake-dev)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.name_prefix))
    error_message = "name_prefix must be 3-41 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed KMS key that encrypts the topic, queue, table, logs and Lambda environment."
  type        = string
}

variable "athena_workgroup_name" {
  description = "Athena workgroup the function runs its query in (it enforces the result location and encryption)."
  type        = string
}

variable "athena_results_bucket_arn" {
  description = "ARN of the bucket holding Athena query results (the workgroup's output location)."
  type        = string
}

variable "gold_database_name" {
  description = "Glue Data Catalog database of the Gold layer (holds customer_risk_scores and loan_early_warning)."
  type        = string
}

variable "gold_bucket_arn" {
  description = "ARN of the Gold bucket; the function may read only its customer_risk_scores/ and loan_early_warning/ prefixes."
  type        = string
}

variable "lambda_package_file" {
  description = "Path of the function's zip, built by `make package-lambda` (dist/high_risk_alert.zip)."
  type        = string

  validation {
    condition     = endswith(var.lambda_package_file, ".zip")
    error_message = "lambda_package_file must be the .zip built by `make package-lambda`."
  }
}

variable "dashboard_url" {
  description = "Link to the risk dashboard, included in every alert."
  type        = string

  validation {
    condition     = startswith(var.dashboard_url, "https://")
    error_message = "dashboard_url must be an https:// URL."
  }
}

variable "schedule_expression" {
  description = "EventBridge schedule of the check, e.g. cron(30 6 * * ? *) — after the nightly scoring run."
  type        = string
  default     = "cron(30 6 * * ? *)"

  validation {
    condition     = can(regex("^(cron|rate)\\(.+\\)$", var.schedule_expression))
    error_message = "schedule_expression must be an EventBridge cron(...) or rate(...) expression."
  }
}

variable "log_retention_days" {
  description = "Retention of the function's CloudWatch logs, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (e.g. 30, 90, 365)."
  }
}

variable "batch_size" {
  description = "Customers per SNS message."
  type        = number
  default     = 50

  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 500
    error_message = "batch_size must be between 1 and 500."
  }
}

variable "reserved_concurrent_executions" {
  description = "Concurrency reserved for the function; null reserves none (accounts must keep 10 unreserved, so a reservation fails on a new account's quota of 10)."
  type        = number
  default     = null

  validation {
    condition     = var.reserved_concurrent_executions == null || try(var.reserved_concurrent_executions >= 1, false)
    error_message = "reserved_concurrent_executions must be null or at least 1."
  }
}
