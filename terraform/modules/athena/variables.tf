variable "name_prefix" {
  description = "Prefix of every resource name: \"<project>-<env>\", e.g. \"finlake-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}$", var.name_prefix))
    error_message = "name_prefix must be 3-31 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "results_bucket_name" {
  description = "Bucket for query results (the data_lake module's athena-results bucket)."
  type        = string
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed KMS key that encrypts query results."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "database_names" {
  description = "Glue database name per layer (bronze, silver, gold); substituted for $${bronze_db}, $${silver_db}, $${gold_db} in the SQL files."
  type        = map(string)

  validation {
    condition     = length(setsubtract(["bronze", "silver", "gold"], keys(var.database_names))) == 0
    error_message = "database_names must name the bronze, silver and gold databases."
  }
}

variable "queries_dir" {
  description = "Directory of the named queries (*.sql) and views (views/*.sql): the repository's athena/. May be empty."
  type        = string
}

variable "bytes_scanned_cutoff_per_query" {
  description = "Athena cancels a query that would scan more than this many bytes (cost guard; minimum 10 MB)."
  type        = number
  default     = 10737418240 # 10 GiB

  validation {
    condition     = var.bytes_scanned_cutoff_per_query >= 10485760
    error_message = "bytes_scanned_cutoff_per_query must be at least 10485760 (10 MB), Athena's minimum."
  }
}
