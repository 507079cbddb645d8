variable "name_prefix" {
  description = "Prefix of every resource name: \"<project>-<env>\", e.g. \"finlake-dev\"."
  type        = string
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
  description = "Athena workgroup the QuickSight data source queries through."
  type        = string
}

variable "gold_database_name" {
  description = "Glue database holding the Gold tables (e.g. finlake_dev_gold)."
  type        = string
}

variable "risk_team_group_name" {
  description = "QuickSight group granted read access to the risk dashboard."
  type        = string
}

variable "dashboard_definition_file" {
  description = "Path to the dashboard definition in quicksight/."
  type        = string
}
