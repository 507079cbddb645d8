variable "name_prefix" {
  description = "Prefix of every resource name: \"<project>-<env>\", e.g. \"finlake-dev\". Buckets are \"<name_prefix>-<layer>[-<suffix>]\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}$", var.name_prefix))
    error_message = "name_prefix must be 3-31 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "bucket_name_suffix" {
  description = "Optional suffix making bucket names globally unique (e.g. the account ID). Empty: no suffix."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[a-z0-9-]{0,12}$", var.bucket_name_suffix))
    error_message = "bucket_name_suffix must be at most 12 lower-case letters, digits or hyphens."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed KMS key encrypting every lake bucket."
  type        = string
}

variable "bronze_ia_after_days" {
  description = "Days after which Bronze objects move to S3 Standard-IA."
  type        = number
  default     = 30

  validation {
    condition     = var.bronze_ia_after_days >= 30
    error_message = "S3 requires at least 30 days before a transition to STANDARD_IA."
  }
}

variable "bronze_glacier_ir_after_days" {
  description = "Days after which Bronze objects move to S3 Glacier Instant Retrieval (still readable by a full refresh)."
  type        = number
  default     = 180

  validation {
    condition     = var.bronze_glacier_ir_after_days >= 60
    error_message = "bronze_glacier_ir_after_days must be at least 60 (30 days in Standard-IA first)."
  }
}

variable "bronze_noncurrent_version_expiration_days" {
  description = "Days a replaced Bronze object version is kept (Bronze is append-only, so this only matters after mistakes)."
  type        = number
  default     = 365

  validation {
    condition     = var.bronze_noncurrent_version_expiration_days >= 30
    error_message = "bronze_noncurrent_version_expiration_days must be at least 30."
  }
}

variable "bronze_retention_days" {
  description = "Days a Bronze delivery is kept: S3 expires each object this long after it landed (a customer's raw rows leave Bronze when their deliveries age out; see the README on erasure)."
  type        = number
  default     = 2557 # 7 years

  validation {
    condition     = var.bronze_retention_days >= 30 && floor(var.bronze_retention_days) == var.bronze_retention_days
    error_message = "bronze_retention_days must be a whole number of days, at least 30 (the incremental job must read a delivery before it expires)."
  }
}

variable "pii_noncurrent_version_expiration_days" {
  description = "Days a deleted or replaced object version is kept in the silver-restricted and quarantine buckets, which hold direct identifiers: bounds how long an erased customer's data survives in S3 versioning."
  type        = number
  default     = 7

  validation {
    condition     = var.pii_noncurrent_version_expiration_days >= 1 && var.pii_noncurrent_version_expiration_days <= 30
    error_message = "pii_noncurrent_version_expiration_days must be between 1 and 30 (an erasure must be complete within GDPR's one month)."
  }
}

variable "pii_reader_role_arns" {
  description = "IAM role ARNs that may read the silver-restricted and quarantine buckets besides the Silver job and table-optimizer roles (e.g. the operator role that runs finlake erase-customer). Every other principal is denied reads by the bucket policy."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.pii_reader_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", arn))])
    error_message = "pii_reader_role_arns must be IAM role ARNs (arn:aws:iam::<account>:role/<name>)."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days a replaced object version is kept in the other lake buckets (silver, gold, artifacts, athena-results)."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1
    error_message = "noncurrent_version_expiration_days must be at least 1."
  }
}

variable "athena_results_expiration_days" {
  description = "Days Athena query results are kept."
  type        = number
  default     = 30

  validation {
    condition     = var.athena_results_expiration_days >= 1
    error_message = "athena_results_expiration_days must be at least 1."
  }
}

variable "access_log_retention_days" {
  description = "Days S3 server access logs are kept."
  type        = number
  default     = 365

  validation {
    condition     = var.access_log_retention_days >= 90
    error_message = "access_log_retention_days must be at least 90."
  }
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete non-empty buckets. Keep false outside throw-away environments."
  type        = bool
  default     = false
}
