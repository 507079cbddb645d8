variable "project" {
  description = "Project name; the state bucket is \"<project>-tfstate-<account id>\"."
  type        = string
  default     = "finlake"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,15}$", var.project))
    error_message = "project must be 2-16 lower-case letters or digits, starting with a letter."
  }
}

variable "region" {
  description = "Region of the state bucket (use the environments' region)."
  type        = string
  default     = "eu-central-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-central-1."
  }
}
