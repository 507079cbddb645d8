variable "name_prefix" {
  description = "Prefix of every resource name: \"<project>-<env>\", e.g. \"finlake-dev\" (databases become finlake_dev_<layer>)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}$", var.name_prefix))
    error_message = "name_prefix must be 3-31 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed KMS key for catalog, log, bookmark and S3 encryption."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "manage_catalog_encryption_settings" {
  description = "Manage the account-wide Glue Data Catalog encryption settings here. Set false in all but one root module when several environments share an account and region."
  type        = bool
  default     = true
}
