variable "name_prefix" {
  description = "Prefix of every resource id and name: \"<project>-<env>\", e.g. \"finlake-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.name_prefix))
    error_message = "name_prefix must be 3-41 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "tags" {
  description = "Tags for resources that do not inherit the provider's default_tags."
  type        = map(string)
  default     = {}
}

variable "aws_account_id" {
  description = "AWS account ID that owns the QuickSight subscription."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id must be 12 digits."
  }
}

variable "athena_workgroup_name" {
  description = "Athena workgroup the QuickSight data source queries through (it enforces the result location and encryption)."
  type        = string

  validation {
    condition     = length(var.athena_workgroup_name) > 0
    error_message = "athena_workgroup_name must not be empty."
  }
}

variable "gold_database_name" {
  description = "Glue database holding the Gold tables and the dashboard views of athena/views/ (e.g. finlake_dev_gold)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9_]{1,255}$", var.gold_database_name))
    error_message = "gold_database_name must be lower-case letters, digits and underscores (a Glue database name)."
  }
}

variable "risk_team_group_name" {
  description = "QuickSight group granted read access to the risk dashboard and its datasets."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,128}$", var.risk_team_group_name))
    error_message = "risk_team_group_name must be 1-128 characters of letters, digits and +=,.@_-."
  }
}

variable "dashboard_definition_file" {
  description = "Path to the dashboard definition (quicksight/dashboard.yaml): datasets over the Gold views and the visuals."
  type        = string

  validation {
    condition     = fileexists(var.dashboard_definition_file)
    error_message = "dashboard_definition_file must name an existing file (quicksight/dashboard.yaml)."
  }
}

variable "create_risk_team_group" {
  description = "Create the risk-team group in QuickSight; false if it already exists (e.g. synced from the identity provider)."
  type        = bool
  default     = true
}

variable "identity_region" {
  description = "QuickSight identity region (where the subscription, users and groups live); null = the provider's region."
  type        = string
  default     = null

  validation {
    condition     = var.identity_region == null || can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.identity_region))
    error_message = "identity_region must be an AWS region name such as eu-central-1."
  }
}

variable "namespace" {
  description = "QuickSight namespace of the risk-team group."
  type        = string
  default     = "default"
}

variable "create_datasets" {
  description = "Create the datasets and the dashboard. False for the first apply: they select from the Gold views, which exist only after the first pipeline run and `finlake athena-views`."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "ARN of the lake's KMS key, which encrypts Gold and the Athena results QuickSight reads and writes."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "service_role_name" {
  description = "Name of the IAM role QuickSight uses for AWS data sources (QuickSight's default: aws-quicksight-service-role-v0); it is granted the lake key. null: grant it by hand."
  type        = string
  default     = "aws-quicksight-service-role-v0"
}

