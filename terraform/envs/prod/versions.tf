terraform {
  # use_lockfile (S3-native state locking, no DynamoDB table) needs Terraform >= 1.11.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Pinned to the version the offline schema check uses (tests/terraform/aws_provider_schema.json,
      # `make tf-schema`); the child modules accept any 6.x.
      version = "6.69.1"
    }
  }

  # Partial configuration: bucket, region and kms_key_id come from backend.hcl (see backend.hcl.example
  # and terraform/bootstrap), so no account-specific value is committed.
  backend "s3" {
    key          = "finlake/prod/terraform.tfstate"
    encrypt      = true
    use_lockfile = true
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.extra_tags, {
      Project     = "finlake"
      Environment = "prod"
      ManagedBy   = "terraform"
    })
  }
}
