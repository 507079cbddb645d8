terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Pinned to the version the offline schema check uses (tests/terraform/aws_provider_schema.json,
      # `make tf-schema`); the child modules accept any 6.x.
      version = "6.69.1"
    }
  }

  # The state bucket cannot hold its own creation's state: this root module keeps a local state.
  # It is tiny and changes almost never; keep terraform.tfstate somewhere safe (or import the
  # resources into the remote backend once it exists).
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project   = var.project
      ManagedBy = "terraform"
      Purpose   = "terraform-state"
    }
  }
}
