locals {
  # Glue database names cannot contain hyphens: finlake-dev -> finlake_dev_<layer>.
  database_prefix = replace(var.name_prefix, "-", "_")

  # Bronze's tables are registered by its crawler; the other four are Iceberg namespaces whose tables
  # the Glue jobs create on their first run (CREATE TABLE IF NOT EXISTS) and register with every commit.
  layers = {
    bronze            = "raw CSV deliveries; tables registered by the Bronze crawler"
    silver            = "Iceberg tables created and committed by the Bronze -> Silver job"
    silver_restricted = "Iceberg table of direct identifiers (customer_pii), committed by the Bronze -> Silver job"
    quarantine        = "Iceberg tables of rejected rows, committed by the Bronze -> Silver job"
    gold              = "Iceberg tables created and committed by the Silver -> Gold job (customer_risk_scores: scoring)"
  }
}

resource "aws_glue_catalog_database" "this" {
  for_each = local.layers

  name        = "${local.database_prefix}_${each.key}"
  description = "finlake ${replace(each.key, "_", " ")} layer (${var.name_prefix}): ${each.value}."
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
