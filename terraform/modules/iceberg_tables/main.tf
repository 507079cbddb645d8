# The Iceberg tables of Silver, the quarantine and Gold, as Terraform sees them: the table names come
# from tables.json, exported from the contracts (the jobs create the tables on their first run:
# src/finlake/storage.py ensure_table), and what IAM grants and table
# optimizers need about each: its Glue database and ARNs, its S3 location and the objects under it.
# No resources and no provider: pure values, so the tests evaluate it with Terraform itself.

locals {
  # Glue namespace (layer) -> tables, exported from the contracts (python -m finlake.contracts.export);
  # customer_pii is Silver's restricted table: its own namespace and bucket.
  tables = jsondecode(file("${path.module}/tables.json"))

  # Namespace -> key of the data_lake module's bucket_names: a table lives at <bucket root>/<table>/.
  bucket_key = {
    silver            = "silver"
    silver_restricted = "silver-restricted"
    quarantine        = "quarantine"
    gold              = "gold"
  }

  glue_arn   = "arn:${var.partition}:glue:${var.region}:${var.account_id}"
  database   = { for layer in keys(local.tables) : layer => "${var.database_prefix}_${layer}" }
  bucket     = { for layer, key in local.bucket_key : layer => var.bucket_names[key] }
  bucket_arn = { for layer, name in local.bucket : layer => "arn:${var.partition}:s3:::${name}" }

  # "<layer>.<table>" -> where the table is catalogued and stored.
  table_map = merge([
    for layer, names in local.tables : {
      for t in names : "${layer}.${t}" => {
        layer    = layer
        database = local.database[layer]
        table    = t
        location = "s3://${local.bucket[layer]}/${t}/"
      }
    }
  ]...)
}
