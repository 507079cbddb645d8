variable "partition" {
  description = "AWS partition of the ARNs (aws, aws-cn, aws-us-gov)."
  type        = string

  validation {
    condition     = contains(["aws", "aws-cn", "aws-us-gov"], var.partition)
    error_message = "partition must be aws, aws-cn or aws-us-gov."
  }
}

variable "region" {
  description = "Region of the Glue Data Catalog, e.g. eu-central-1."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-central-1."
  }
}

variable "account_id" {
  description = "AWS account ID owning the Glue Data Catalog."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be 12 digits."
  }
}

variable "database_prefix" {
  description = "Prefix of the Glue databases: the tables of layer L live in <database_prefix>_L (the jobs' --catalog_database_prefix)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]*$", var.database_prefix))
    error_message = "database_prefix must be lower-case letters, digits and underscores, starting with a letter (a Glue database name)."
  }
}

variable "bucket_names" {
  description = "Bucket name per layer, as output by the data_lake module (needs silver, silver-restricted, quarantine, gold)."
  type        = map(string)

  validation {
    condition     = length(setsubtract(["silver", "silver-restricted", "quarantine", "gold"], keys(var.bucket_names))) == 0
    error_message = "bucket_names must name the silver, silver-restricted, quarantine and gold buckets."
  }
}
