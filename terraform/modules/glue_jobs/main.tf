data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.region

  bucket     = var.bucket_names
  bucket_arn = { for layer, name in var.bucket_names : layer => "arn:${local.partition}:s3:::${name}" }
  glue_arn   = "arn:${local.partition}:glue:${local.region}:${local.account_id}"
  artifacts  = var.bucket_names["artifacts"]

  # The jobs this module runs, one per glue_jobs/<job>.py; var.jobs must name exactly these.
  job_settings = {
    bronze_to_silver = var.jobs["bronze_to_silver"]
    silver_to_gold   = var.jobs["silver_to_gold"]
  }

  job_names = { for job in keys(local.job_settings) : job => "${var.name_prefix}-${replace(job, "_", "-")}" }

  # The log groups Glue 5.x writes a job's logs to: <--custom-logGroup-prefix>/error and /output.
  log_group_prefix = { for job in keys(local.job_settings) : job => "/aws-glue/jobs/${local.job_names[job]}" }
  log_groups = {
    for pair in setproduct(keys(local.job_settings), ["error", "output"]) :
    "${pair[0]}/${pair[1]}" => "${local.log_group_prefix[pair[0]]}/${pair[1]}"
  }

  # The Iceberg tables are catalogued in the Glue databases <prefix>_silver, _silver_restricted,
  # _quarantine and _gold (src/finlake/iceberg.py namespace).
  catalog_database_prefix = var.database_prefix

  # Glue 5.1's own Iceberg 1.10 (--datalake-formats iceberg) and the `finlake` Spark catalog on the Glue
  # Data Catalog: the properties src/finlake/iceberg.py catalog_properties gives an S3 lake (warehouse =
  # the Silver root, every file SSE-KMS under the lake key, which the bucket policies demand). The
  # extensions (MERGE INTO, branches, CALL) must be set before the session starts, hence --conf.
  iceberg_spark_conf = {
    "spark.sql.extensions"                   = "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
    "spark.sql.catalog.finlake"              = "org.apache.iceberg.spark.SparkCatalog"
    "spark.sql.catalog.finlake.catalog-impl" = "org.apache.iceberg.aws.glue.GlueCatalog"
    "spark.sql.catalog.finlake.io-impl"      = "org.apache.iceberg.aws.s3.S3FileIO"
    "spark.sql.catalog.finlake.warehouse"    = "s3://${local.bucket["silver"]}/"
    "spark.sql.catalog.finlake.s3.sse.type"  = "kms"
    "spark.sql.catalog.finlake.s3.sse.key"   = var.kms_key_arn
  }
  # Glue takes several Spark settings as one --conf value: "k1=v1 --conf k2=v2 ...".
  iceberg_conf = join(" --conf ", [for key, value in local.iceberg_spark_conf : "${key}=${value}"])

  # Arguments each script reads (its REQUIRED_ARGS; tests/terraform checks both directions). Layer roots
  # follow data_lake's bucket layout: one bucket per layer, run reports and state in artifacts.
  script_arguments = {
    bronze_to_silver = {
      "--JOB_NAME"                = local.job_names["bronze_to_silver"]
      "--bronze_root"             = "s3://${local.bucket["bronze"]}/"
      "--silver_root"             = "s3://${local.bucket["silver"]}/"
      "--silver_restricted_root"  = "s3://${local.bucket["silver-restricted"]}/"
      "--quarantine_root"         = "s3://${local.bucket["quarantine"]}/"
      "--runs_root"               = "s3://${local.artifacts}/_runs/"
      "--state_root"              = "s3://${local.artifacts}/_state/"
      "--full_refresh"            = tostring(var.full_refresh)
      "--catalog_database_prefix" = local.catalog_database_prefix
      "--lake_kms_key_id"         = var.kms_key_arn
    }
    silver_to_gold = {
      "--JOB_NAME"                = local.job_names["silver_to_gold"]
      "--silver_root"             = "s3://${local.bucket["silver"]}/"
      "--gold_root"               = "s3://${local.bucket["gold"]}/"
      "--runs_root"               = "s3://${local.artifacts}/_runs/"
      "--state_root"              = "s3://${local.artifacts}/_state/"
      "--large_cash_threshold"    = tostring(var.large_cash_threshold)
      "--structuring_window_days" = tostring(var.structuring_window_days)
      "--catalog_database_prefix" = local.catalog_database_prefix
      "--lake_kms_key_id"         = var.kms_key_arn
    }
  }

  wheel_key      = "glue/wheels/${basename(var.wheel_path)}"
  python_modules = join(",", concat(["s3://${local.artifacts}/${local.wheel_key}"], var.extra_python_modules))

  # Arguments AWS Glue itself consumes ("special parameters"), the same for every job but the log group.
  glue_arguments = {
    for job in keys(local.job_settings) : job => {
      "--job-language"              = "python"
      "--datalake-formats"          = "iceberg"
      "--conf"                      = local.iceberg_conf
      "--additional-python-modules" = local.python_modules
      # Glue 5.1 ships Spark and the AWS SDKs; --no-deps stops pip replacing them with the wheel's pins.
      "--python-modules-installer-option" = "--no-deps"
      "--job-bookmark-option"             = "job-bookmark-disable" # the jobs keep their own state in _state/
      "--TempDir"                         = "s3://${local.artifacts}/_tmp/${job}/"
      "--enable-metrics"                  = "true"
      "--enable-observability-metrics"    = "true"
      # Glue 5.x always logs continuously, to <prefix>/error (driver, executors, Glue logger) and
      # <prefix>/output (stdout/stderr); the Glue 4 --continuous-log-* arguments are ignored.
      "--custom-logGroup-prefix" = local.log_group_prefix[job]
      "--enable-spark-ui"        = "true"
      "--spark-event-logs-path"  = "s3://${local.artifacts}/_spark-logs/${job}/"
      "--enable-auto-scaling"    = "true"
    }
  }
}

# The Iceberg tables each job commits to, their Glue ARNs and S3 locations (iam.tf).
module "iceberg_tables" {
  source = "../iceberg_tables"

  partition       = local.partition
  region          = local.region
  account_id      = local.account_id
  database_prefix = var.database_prefix
  bucket_names    = var.bucket_names
}

# --- code: the entry scripts and the finlake wheel they import -----------------------------------

resource "aws_s3_object" "script" {
  for_each = local.job_settings

  bucket                 = local.artifacts
  key                    = "glue/scripts/${each.key}.py"
  source                 = "${var.scripts_dir}/${each.key}.py"
  content_type           = "text/x-python"
  server_side_encryption = "aws:kms"
  kms_key_id             = var.kms_key_arn
  # The provider documents `etag` as incompatible with SSE-KMS (the ETag is then not an MD5), so the
  # content hash goes in source_hash: a changed script still redeploys on the next apply.
  source_hash = filemd5("${var.scripts_dir}/${each.key}.py")
}

resource "aws_s3_object" "wheel" {
  bucket                 = local.artifacts
  key                    = local.wheel_key
  source                 = var.wheel_path
  content_type           = "application/zip"
  server_side_encryption = "aws:kms"
  kms_key_id             = var.kms_key_arn
  source_hash            = filemd5(var.wheel_path)
}

# --- logs ----------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "job" {
  for_each = local.log_groups

  name              = each.value
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

# --- jobs ----------------------------------------------------------------------------------------

resource "aws_glue_job" "this" {
  for_each = local.job_settings

  name                   = local.job_names[each.key]
  description            = "finlake ${replace(each.key, "_", " -> ")} (glue_jobs/${each.key}.py)"
  role_arn               = aws_iam_role.job[each.key].arn
  glue_version           = var.glue_version
  worker_type            = each.value.worker_type
  number_of_workers      = each.value.number_of_workers
  execution_class        = each.value.execution_class
  timeout                = each.value.timeout_minutes
  max_retries            = each.value.max_retries
  security_configuration = var.security_configuration_name

  command {
    name            = "glueetl"
    python_version  = "3"
    script_location = "s3://${local.artifacts}/${aws_s3_object.script[each.key].key}"
  }

  execution_property {
    # One run at a time: the jobs keep incremental state (concurrent Iceberg commits would be retried).
    max_concurrent_runs = 1
  }

  default_arguments = merge(local.glue_arguments[each.key], local.script_arguments[each.key])

  # A new wheel must be in S3 before a job can start with it.
  depends_on = [aws_s3_object.wheel]
}
