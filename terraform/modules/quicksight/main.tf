# Skeleton wired by the Terraform engineer; the dashboard engineer owns this module's body
# (data source, data sets, dashboard from var.dashboard_definition_file, permissions).
locals {
  dashboard_id   = "${var.name_prefix}-risk"
  data_source_id = "${var.name_prefix}-athena"
}
