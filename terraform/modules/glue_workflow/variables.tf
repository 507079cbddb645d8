variable "name_prefix" {
  description = "Prefix of every resource name: \"<project>-<env>\", e.g. \"finlake-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}$", var.name_prefix))
    error_message = "name_prefix must be 3-31 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "job_names" {
  description = "Glue job name per script, as output by the glue_jobs module (bronze_to_silver, silver_to_gold)."
  type        = map(string)

  validation {
    condition     = length(setsubtract(["bronze_to_silver", "silver_to_gold"], keys(var.job_names))) == 0
    error_message = "job_names must name the bronze_to_silver and silver_to_gold jobs."
  }
}

variable "crawler_names" {
  description = "Crawlers started after the Silver -> Gold job succeeded."
  type        = list(string)

  validation {
    condition     = length(var.crawler_names) > 0
    error_message = "crawler_names must list at least one crawler."
  }
}

variable "schedule_expression" {
  description = "When the pipeline starts, as a Glue cron expression in UTC, e.g. \"cron(0 2 * * ? *)\"."
  type        = string
  default     = "cron(0 2 * * ? *)"

  validation {
    condition     = can(regex("^cron\\(.+\\)$", var.schedule_expression))
    error_message = "schedule_expression must be a Glue cron expression such as cron(0 2 * * ? *)."
  }
}

variable "schedule_enabled" {
  description = "Whether the schedule is active (the conditional triggers are always active)."
  type        = bool
  default     = true
}
