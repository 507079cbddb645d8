output "tables" {
  description = "Table names per Glue namespace layer (silver, silver_restricted, quarantine, gold)."
  value       = local.tables
}

output "database_names" {
  description = "Glue database per namespace layer: <database_prefix>_<layer>."
  value       = local.database
}

output "table_map" {
  description = "\"<layer>.<table>\" -> { layer, database, table, location (s3://<bucket>/<table>/) } for every table."
  value       = local.table_map
}

output "glue_resources" {
  description = "Per layer, the ARNs a Glue table call is authorised on: the catalog, the layer's database and each of its tables."
  value = {
    for layer, names in local.tables : layer => concat(
      ["${local.glue_arn}:catalog", "${local.glue_arn}:database/${local.database[layer]}"],
      [for t in names : "${local.glue_arn}:table/${local.database[layer]}/${t}"],
    )
  }
}

output "bucket_arns" {
  description = "Per layer, the ARN of the bucket holding its tables."
  value       = local.bucket_arn
}

output "object_arns" {
  description = "Per layer, the S3 object ARNs of its tables' files: <table>/data/* (Parquet) and <table>/metadata/* (metadata.json, manifest lists, manifests)."
  value = {
    for layer, names in local.tables : layer => flatten([
      for t in names : ["${local.bucket_arn[layer]}/${t}/data/*", "${local.bucket_arn[layer]}/${t}/metadata/*"]
    ])
  }
}

output "list_prefixes" {
  description = "Per layer, the s3:prefix values under which its tables' files are listed (for ListBucket conditions)."
  value = {
    for layer, names in local.tables : layer => flatten([for t in names : [t, "${t}/*"]])
  }
}
