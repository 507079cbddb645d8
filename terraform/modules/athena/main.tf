locals {
  # Every athena/*.sql (queries) and athena/views/*.sql (CREATE VIEW statements) becomes a named query.
  # The files refer to databases only as ${bronze_db}, ${silver_db}, ${gold_db}, so one file serves every
  # environment's database names.
  sql_files = setunion(fileset(var.queries_dir, "*.sql"), fileset(var.queries_dir, "views/*.sql"))
  queries   = { for f in local.sql_files : replace(trimsuffix(f, ".sql"), "/", "_") => f }

  template_vars = {
    bronze_db = var.database_names["bronze"]
    silver_db = var.database_names["silver"]
    gold_db   = var.database_names["gold"]
  }
}

resource "aws_athena_workgroup" "this" {
  name          = "${var.name_prefix}-analytics"
  description   = "finlake analysts, dashboard and alerting (${var.name_prefix})."
  state         = "ENABLED"
  force_destroy = false

  configuration {
    # Clients cannot override the result location, encryption or scan cutoff.
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.bytes_scanned_cutoff_per_query

    engine_version {
      selected_engine_version = "Athena engine version 3"
    }

    result_configuration {
      output_location = "s3://${var.results_bucket_name}/${var.name_prefix}-analytics/"

      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = var.kms_key_arn
      }
    }
  }
}

resource "aws_athena_named_query" "this" {
  for_each = local.queries

  name        = each.key
  description = "athena/${each.value}"
  workgroup   = aws_athena_workgroup.this.id
  database    = var.database_names["gold"]
  query       = templatefile("${var.queries_dir}/${each.value}", local.template_vars)
}
