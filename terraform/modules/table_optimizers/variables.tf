variable "name_prefix" {
  description = "Prefix of every resource name: \"<project>-<env>\", e.g. \"finlake-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}$", var.name_prefix))
    error_message = "name_prefix must be 3-31 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "enable" {
  description = "Create the optimizers: false until the first pipeline run has created the Iceberg tables (an optimizer needs its table). The role is created either way."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "ARN of the lake's customer-managed KMS key (table files, catalog, log groups)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "bucket_names" {
  description = "Bucket name per layer, as output by the data_lake module (needs silver, silver-restricted, quarantine, gold)."
  type        = map(string)

  validation {
    condition     = length(setsubtract(["silver", "silver-restricted", "quarantine", "gold"], keys(var.bucket_names))) == 0
    error_message = "bucket_names must name the silver, silver-restricted, quarantine and gold buckets."
  }
}

variable "database_prefix" {
  description = "Prefix of the Glue databases holding the Iceberg tables, as output by the glue_catalog module."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]*$", var.database_prefix))
    error_message = "database_prefix must be lower-case letters, digits and underscores, starting with a letter."
  }
}

variable "snapshot_retention_days" {
  description = "Snapshots older than this are expired (time travel, `--as-of` and `train --as-of` reach back this far); `finlake maintain` uses 7 locally."
  type        = number
  default     = 7

  validation {
    condition     = var.snapshot_retention_days >= 1 && floor(var.snapshot_retention_days) == var.snapshot_retention_days
    error_message = "snapshot_retention_days must be a whole number of days, at least 1."
  }
}

variable "snapshots_to_retain" {
  description = "Snapshots always kept, however old (`finlake maintain --retain-last`, 5 locally)."
  type        = number
  default     = 5

  validation {
    condition     = var.snapshots_to_retain >= 1 && floor(var.snapshots_to_retain) == var.snapshots_to_retain
    error_message = "snapshots_to_retain must be a whole number, at least 1."
  }
}

variable "orphan_file_retention_days" {
  description = "Files no snapshot references are deleted once older than this (never a commit in flight)."
  type        = number
  default     = 7

  validation {
    condition     = var.orphan_file_retention_days >= 1 && floor(var.orphan_file_retention_days) == var.orphan_file_retention_days
    error_message = "orphan_file_retention_days must be a whole number of days, at least 1."
  }
}

variable "compaction_min_input_files" {
  description = "Small files a partition must hold before compaction rewrites them (`finlake maintain` uses 5)."
  type        = number
  default     = 5

  validation {
    condition     = var.compaction_min_input_files >= 2 && floor(var.compaction_min_input_files) == var.compaction_min_input_files
    error_message = "compaction_min_input_files must be a whole number, at least 2."
  }
}

variable "run_rate_in_hours" {
  description = "Hours between runs of the retention and orphan-file deletion optimizers (Glue accepts 3 to 168)."
  type        = number
  default     = 24

  validation {
    condition     = var.run_rate_in_hours >= 3 && var.run_rate_in_hours <= 168 && floor(var.run_rate_in_hours) == var.run_rate_in_hours
    error_message = "run_rate_in_hours must be a whole number between 3 and 168."
  }
}

variable "create_log_groups" {
  description = "Create the optimizers' account-wide log groups (/aws-glue/iceberg-*/logs) with retention and the key; false in all but one root module per account and region."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of the optimizers' CloudWatch log groups."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...)."
  }
}
