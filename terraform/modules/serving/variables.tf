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
  description = "ARN of the customer-managed KMS key for the feature table, request log, logs and Lambda environment."
  type        = string
}

variable "package_file" {
  description = "The function's zip (code, pinned dependencies and model.json), built by `make package-serving`."
  type        = string

  validation {
    condition     = endswith(var.package_file, ".zip")
    error_message = "package_file must be the .zip built by `make package-serving`."
  }
}

variable "live_version" {
  description = "Lambda version the `live` alias serves; empty = the version this apply published. Roll back by setting the previous number."
  type        = string
  default     = ""

  validation {
    condition     = var.live_version == "" || can(regex("^[0-9]+$", var.live_version))
    error_message = "live_version must be empty or a published version number such as 7."
  }
}

variable "log_bucket_arn" {
  description = "ARN of the bucket the request log lands in (under serving_requests/)."
  type        = string
}

variable "log_bucket_name" {
  description = "Name of that bucket (for the Glue table's location)."
  type        = string
}

variable "database_name" {
  description = "Glue Data Catalog database that holds the serving_requests table (queried in Athena)."
  type        = string
}

variable "memory_size" {
  description = "Lambda memory in MB (CPU scales with it)."
  type        = number
  default     = 512

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240
    error_message = "memory_size must be between 128 and 10240 MB."
  }
}

variable "reserved_concurrency" {
  description = "Concurrency reserved for (and capping) the function; null reserves none (accounts must keep 10 unreserved, so a reservation fails on a new account's quota of 10)."
  type        = number
  default     = null

  validation {
    condition     = var.reserved_concurrency == null || try(var.reserved_concurrency >= 1 && var.reserved_concurrency <= 1000, false)
    error_message = "reserved_concurrency must be null or between 1 and 1000."
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
