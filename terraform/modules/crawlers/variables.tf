variable "name_prefix" {
  description = "Prefix of every resource name: \"<project>-<env>\", e.g. \"finlake-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}$", var.name_prefix))
    error_message = "name_prefix must be 3-31 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "crawlers_dir" {
  description = "Directory of crawler definitions, one <name>.yaml per crawler (the repository's crawlers/); only layer: bronze definitions are deployed."
  type        = string

  validation {
    condition     = fileexists("${var.crawlers_dir}/bronze.yaml")
    error_message = "crawlers_dir holds no bronze.yaml crawler definition (point it at the repository's crawlers/)."
  }
}

variable "bucket_names" {
  description = "Bucket name per layer, as output by the data_lake module (needs bronze)."
  type        = map(string)

  validation {
    condition     = contains(keys(var.bucket_names), "bronze")
    error_message = "bucket_names must name the bronze bucket."
  }
}

variable "database_names" {
  description = "Glue database name per layer, as output by the glue_catalog module (needs bronze)."
  type        = map(string)

  validation {
    condition     = contains(keys(var.database_names), "bronze")
    error_message = "database_names must name the bronze database."
  }
}

variable "kms_key_arn" {
  description = "ARN of the lake's customer-managed KMS key."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "security_configuration_name" {
  description = "Glue security configuration attached to every crawler."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the crawlers' CloudWatch log group."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...)."
  }
}
