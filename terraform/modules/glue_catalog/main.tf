locals {
  # Glue database names cannot contain hyphens: finlake-dev -> finlake_dev_<layer>.
  database_prefix = replace(var.name_prefix, "-", "_")
  layers          = toset(["bronze", "silver", "gold"])
}

resource "aws_glue_catalog_database" "this" {
  for_each = local.layers

  name        = "${local.database_prefix}_${each.key}"
  description = "finlake ${each.key} layer (${var.name_prefix}); tables are registered by the ${each.key} crawler."
}

# Account-and-region-wide setting: manage it from exactly one root module per account.
resource "aws_glue_data_catalog_encryption_settings" "this" {
  count = var.manage_catalog_encryption_settings ? 1 : 0

  data_catalog_encryption_settings {
    connection_password_encryption {
      return_connection_password_encrypted = true
      aws_kms_key_id                       = var.kms_key_arn
    }

    encryption_at_rest {
      catalog_encryption_mode = "SSE-KMS"
      sse_aws_kms_key_id      = var.kms_key_arn
    }
  }
}

# Attached to every job and crawler: S3 writes, CloudWatch logs and job bookmarks all use the CMK.
resource "aws_glue_security_configuration" "this" {
  name = "${var.name_prefix}-glue"

  encryption_configuration {
    cloudwatch_encryption {
      cloudwatch_encryption_mode = "SSE-KMS"
      kms_key_arn                = var.kms_key_arn
    }

    job_bookmarks_encryption {
      job_bookmarks_encryption_mode = "CSE-KMS"
      kms_key_arn                   = var.kms_key_arn
    }

    s3_encryption {
      s3_encryption_mode = "SSE-KMS"
      kms_key_arn        = var.kms_key_arn
    }
  }
}
