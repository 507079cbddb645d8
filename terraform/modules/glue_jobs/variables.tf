variable "name_prefix" {
  description = "Prefix of every resource name: \"<project>-<env>\", e.g. \"finlake-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}$", var.name_prefix))
    error_message = "name_prefix must be 3-31 lower-case letters, digits or hyphens, starting with a letter."
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

variable "bucket_names" {
  description = "Bucket name per layer, as output by the data_lake module (bronze, silver, silver-restricted, gold, quarantine, artifacts)."
  type        = map(string)

  validation {
    condition     = length(setsubtract(["bronze", "silver", "silver-restricted", "gold", "quarantine", "artifacts"], keys(var.bucket_names))) == 0
    error_message = "bucket_names must name the bronze, silver, silver-restricted, gold, quarantine and artifacts buckets."
  }
}

variable "database_prefix" {
  description = "Prefix of the Glue databases holding the Iceberg tables, as output by the glue_catalog module (\"finlake_dev\": finlake_dev_silver, finlake_dev_gold, ...)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]*$", var.database_prefix))
    error_message = "database_prefix must be lower-case letters, digits and underscores, starting with a letter (a Glue database name prefix)."
  }
}

variable "security_configuration_name" {
  description = "Glue security configuration attached to every job (S3, CloudWatch and bookmark encryption)."
  type        = string
}

variable "scripts_dir" {
  description = "Directory holding the Glue entry scripts bronze_to_silver.py and silver_to_gold.py (the repository's glue_jobs/)."
  type        = string

  validation {
    condition     = fileexists("${var.scripts_dir}/bronze_to_silver.py") && fileexists("${var.scripts_dir}/silver_to_gold.py")
    error_message = "scripts_dir must contain bronze_to_silver.py and silver_to_gold.py (point it at the repository's glue_jobs/)."
  }
}

variable "wheel_path" {
  description = "Path to the finlake wheel the jobs import, built by `make wheel` into dist/ (e.g. ../../../dist/finlake-0.1.0-py3-none-any.whl)."
  type        = string

  validation {
    condition     = endswith(var.wheel_path, ".whl") && fileexists(var.wheel_path)
    error_message = "wheel_path must point to an existing .whl file: run `make wheel` at the repository root before terraform plan."
  }
}

variable "extra_python_modules" {
  description = "Extra pip requirements installed next to the wheel (the wheel is installed with --no-deps so Glue's own Spark stays), e.g. [\"PyYAML==6.0.2\"]."
  type        = list(string)
  default     = []
}

variable "glue_version" {
  description = "AWS Glue version (5.1: Spark 3.5.6, Python 3.11, Java 17 — what the code is pinned to)."
  type        = string
  default     = "5.1"

  validation {
    condition     = can(regex("^5\\.[0-9]+$", var.glue_version))
    error_message = "glue_version must be 5.x: the code is built for Spark 3.5 / Python 3.11."
  }
}

variable "jobs" {
  description = "Capacity and run policy per Glue job, keyed by job (bronze_to_silver, silver_to_gold). execution_class FLEX runs on spare capacity at a lower price (G.1X/G.2X only, may start later)."
  type = map(object({
    worker_type       = optional(string, "G.1X")
    number_of_workers = optional(number, 2)
    execution_class   = optional(string, "STANDARD")
    timeout_minutes   = optional(number, 60)
    max_retries       = optional(number, 1)
  }))
  default = { bronze_to_silver = {}, silver_to_gold = {} }

  validation {
    condition     = toset(keys(var.jobs)) == toset(["bronze_to_silver", "silver_to_gold"])
    error_message = "jobs must have exactly the keys bronze_to_silver and silver_to_gold (one per script in glue_jobs/)."
  }
  validation {
    condition     = alltrue([for job in values(var.jobs) : contains(["G.1X", "G.2X", "G.4X", "G.8X"], job.worker_type)])
    error_message = "worker_type must be one of G.1X, G.2X, G.4X, G.8X (G.025X is for streaming jobs only)."
  }
  validation {
    condition     = alltrue([for job in values(var.jobs) : contains(["STANDARD", "FLEX"], job.execution_class)])
    error_message = "execution_class must be STANDARD or FLEX."
  }
  validation {
    condition     = alltrue([for job in values(var.jobs) : job.execution_class == "STANDARD" || contains(["G.1X", "G.2X"], job.worker_type)])
    error_message = "FLEX execution is only available with worker_type G.1X or G.2X."
  }
  validation {
    condition     = alltrue([for job in values(var.jobs) : job.number_of_workers >= 2 && job.number_of_workers <= 100])
    error_message = "number_of_workers must be between 2 and 100."
  }
  validation {
    condition     = alltrue([for job in values(var.jobs) : job.timeout_minutes >= 1 && job.timeout_minutes <= 2880])
    error_message = "timeout_minutes must be between 1 and 2880."
  }
  validation {
    condition     = alltrue([for job in values(var.jobs) : job.max_retries >= 0 && job.max_retries <= 10])
    error_message = "max_retries must be between 0 and 10."
  }
}

variable "full_refresh" {
  description = "Default of the Bronze -> Silver job's --full_refresh argument (override per run with StartJobRun arguments)."
  type        = bool
  default     = false
}

variable "large_cash_threshold" {
  description = "Compliance rule: a cash transaction at or above this amount is reported (Gold job --large_cash_threshold)."
  type        = number
  default     = 10000

  validation {
    condition     = var.large_cash_threshold > 0
    error_message = "large_cash_threshold must be positive."
  }
}

variable "structuring_window_days" {
  description = "Compliance rule: window in days for structured cash deposits (Gold job --structuring_window_days)."
  type        = number
  default     = 7

  validation {
    condition     = var.structuring_window_days >= 1 && floor(var.structuring_window_days) == var.structuring_window_days
    error_message = "structuring_window_days must be a whole number of days, at least 1."
  }
}

variable "log_retention_days" {
  description = "Retention of the jobs' CloudWatch log groups."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)."
  }
}
