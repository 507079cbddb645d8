variable "name_prefix" {
  description = "Prefix of every resource name: \"<project>-<env>\", e.g. \"finlake-dev\". The role is \"<name_prefix>-analyst\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}$", var.name_prefix))
    error_message = "name_prefix must be 3-31 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "trusted_principal_arns" {
  description = "IAM principals that may assume the role (e.g. the analysts' SSO permission-set role). Empty: the account root, i.e. any principal of this account whose own policy allows sts:AssumeRole on it."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.trusted_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(root|role/.+|user/.+)$", arn))])
    error_message = "trusted_principal_arns must be IAM role, user or account-root ARNs."
  }
}

variable "athena_workgroup_name" {
  description = "The analytics workgroup the role may run queries in (the athena module's workgroup_name)."
  type        = string
}

variable "athena_results_bucket_arn" {
  description = "ARN of the bucket the workgroup writes query results to (the data_lake module's athena-results bucket)."
  type        = string
}

variable "athena_results_prefix" {
  description = "Key prefix of the workgroup's result location in that bucket, e.g. \"finlake-dev-analytics/\"."
  type        = string

  validation {
    condition     = length(var.athena_results_prefix) > 0 && endswith(var.athena_results_prefix, "/")
    error_message = "athena_results_prefix must be a non-empty prefix ending in \"/\"."
  }
}

variable "silver_bucket_arn" {
  description = "ARN of the public Silver bucket (readable)."
  type        = string
}

variable "gold_bucket_arn" {
  description = "ARN of the Gold bucket (readable)."
  type        = string
}

variable "silver_database_name" {
  description = "Glue database of public Silver (readable)."
  type        = string
}

variable "gold_database_name" {
  description = "Glue database of Gold, holding the tables and the dashboard views (readable)."
  type        = string
}

variable "denied_bucket_arns" {
  description = "Buckets the role is explicitly denied: Bronze, quarantine and silver-restricted."
  type        = list(string)

  validation {
    condition     = length(var.denied_bucket_arns) > 0
    error_message = "denied_bucket_arns must name at least the Bronze, quarantine and silver-restricted buckets."
  }
}

variable "denied_database_names" {
  description = "Glue databases the role is explicitly denied: Bronze, quarantine and silver_restricted."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "ARN of the lake's KMS key (decrypts Silver/Gold files, encrypts query results; through S3 and Glue only)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}
