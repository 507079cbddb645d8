variable "bucket_name" {
  description = "Globally unique bucket name, e.g. \"finlake-dev-bronze\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed KMS key used for default encryption (with an S3 bucket key)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "access_log_bucket" {
  description = "Name of the bucket receiving server access logs (under the prefix \"<bucket_name>/\")."
  type        = string
}

variable "transitions" {
  description = "Storage-class transitions of current object versions, e.g. [{ days = 30, storage_class = \"STANDARD_IA\" }]."
  type = list(object({
    days          = number
    storage_class = string
  }))
  default = []

  validation {
    condition = alltrue([for t in var.transitions : contains(
      ["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"], t.storage_class
    )])
    error_message = "storage_class must be one of STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER, DEEP_ARCHIVE."
  }

  validation {
    condition     = alltrue([for t in var.transitions : t.days >= 30 || t.storage_class == "INTELLIGENT_TIERING" || startswith(t.storage_class, "GLACIER") || t.storage_class == "DEEP_ARCHIVE"])
    error_message = "S3 requires at least 30 days before a transition to STANDARD_IA or ONEZONE_IA."
  }
}

variable "expiration_days" {
  description = "Expire current object versions after this many days (null keeps them forever)."
  type        = number
  default     = null

  validation {
    condition     = var.expiration_days == null || try(var.expiration_days >= 1, false)
    error_message = "expiration_days must be null or at least 1."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Delete noncurrent object versions this many days after they were replaced."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1
    error_message = "noncurrent_version_expiration_days must be at least 1."
  }
}

variable "abort_incomplete_multipart_days" {
  description = "Abort multipart uploads left incomplete for this many days."
  type        = number
  default     = 7

  validation {
    condition     = var.abort_incomplete_multipart_days >= 1
    error_message = "abort_incomplete_multipart_days must be at least 1."
  }
}

variable "immutable_for_principal_arns" {
  description = "IAM principal ARN patterns (ArnLike) denied any delete or overwrite in this bucket, e.g. the pipeline roles for Bronze. Empty: no such statement."
  type        = list(string)
  default     = []
}

variable "read_limited_to_principal_arns" {
  description = "IAM principal ARN patterns (ArnLike) that alone may read objects in this bucket: every other principal is denied GetObject whatever its identity policy says. Empty: no such statement."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.read_limited_to_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/.+$", arn))])
    error_message = "read_limited_to_principal_arns must be IAM role or user ARNs (arn:aws:iam::<account>:role/<name>)."
  }
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete a non-empty bucket. Keep false outside throw-away environments."
  type        = bool
  default     = false
}

variable "require_kms_header_on_upload" {
  description = "Deny PutObject requests that do not ask for SSE-KMS explicitly. Turn off only for buckets written by services that cannot send the header."
  type        = bool
  default     = true
}
