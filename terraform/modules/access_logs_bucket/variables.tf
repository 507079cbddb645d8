variable "bucket_name" {
  description = "Globally unique name of the access-log bucket, e.g. \"finlake-dev-access-logs\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)."
  }
}

variable "source_bucket_pattern" {
  description = "ArnLike pattern of the buckets allowed to deliver access logs here, e.g. \"arn:aws:s3:::finlake-dev-*\"."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9.*-]+$", var.source_bucket_pattern))
    error_message = "source_bucket_pattern must be an S3 bucket ARN pattern such as arn:aws:s3:::finlake-dev-*."
  }
}

variable "retention_days" {
  description = "Days access logs are kept."
  type        = number
  default     = 365

  validation {
    condition     = var.retention_days >= 90
    error_message = "retention_days must be at least 90."
  }
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete the bucket while it still holds logs."
  type        = bool
  default     = false
}
