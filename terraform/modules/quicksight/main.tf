# The risk dashboard in QuickSight: an Athena data source, one DIRECT_QUERY dataset per dashboard view
# (athena/views/), and the dashboard whose visuals come from quicksight/dashboard.yaml (definition.tf).
# Needs a QuickSight subscription in the account (set up by hand once; see README.md).

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  identity_region = coalesce(var.identity_region, data.aws_region.current.region)

  existing_group_arn  = "arn:${data.aws_partition.current.partition}:quicksight:${local.identity_region}:${var.aws_account_id}:group/${var.namespace}/${var.risk_team_group_name}"
  risk_team_group_arn = var.create_risk_team_group ? aws_quicksight_group.risk_team[0].arn : local.existing_group_arn

  # Read-only rights for the risk team: view the dashboard, build their own analyses on the datasets.
  dashboard_viewer_actions = ["quicksight:DescribeDashboard", "quicksight:ListDashboardVersions", "quicksight:QueryDashboard"]
  data_set_user_actions    = ["quicksight:DescribeDataSet", "quicksight:DescribeDataSetPermissions", "quicksight:PassDataSet", "quicksight:DescribeIngestion", "quicksight:ListIngestions"]
  data_source_user_actions = ["quicksight:DescribeDataSource", "quicksight:DescribeDataSourcePermissions", "quicksight:PassDataSource"]

  enabled_datasets = { for key, ds in local.datasets : key => ds if var.create_datasets }
}

resource "aws_quicksight_group" "risk_team" {
  count = var.create_risk_team_group ? 1 : 0

  # Users and groups live in the identity region, whatever region the datasets are in.
  region         = local.identity_region
  aws_account_id = var.aws_account_id
  namespace      = var.namespace
  group_name     = var.risk_team_group_name
  description    = "Risk team: viewers of the ${var.name_prefix} risk dashboard."
}

resource "aws_quicksight_data_source" "athena" {
  aws_account_id = var.aws_account_id
  data_source_id = "${var.name_prefix}-athena"
  name           = "${var.name_prefix} Athena (Gold)"
  type           = "ATHENA"

  parameters {
    athena {
      work_group = var.athena_workgroup_name
    }
  }

  ssl_properties {
    disable_ssl = false
  }

  # `permission` (singular) on a data source; datasets and dashboards call the same block `permissions`.
  permission {
    principal = local.risk_team_group_arn
    actions   = local.data_source_user_actions
  }

  tags = var.tags
}

# First apply: the datasets select from the Gold views, which exist only after the first pipeline run
# and `finlake athena-views`; until then create_datasets is false and only the data source (and group)
# are created. When it is true, every view must already be in the Gold database: the lookup below
# fails the plan otherwise, before QuickSight is asked for anything.
data "aws_glue_catalog_table" "view" {
  for_each = local.enabled_datasets

  database_name = var.gold_database_name
  name          = each.value.view
}

resource "aws_quicksight_data_set" "this" {
  for_each = local.enabled_datasets

  aws_account_id = var.aws_account_id
  data_set_id    = "${var.name_prefix}-${local.dataset_ids[each.key]}"
  name           = "${var.name_prefix} ${each.value.view}"
  # DIRECT_QUERY: every dashboard load queries the Gold views, so it is as current as Gold itself and
  # no SPICE capacity or refresh schedule is needed (and no refresh_properties block, which the
  # provider cannot read back for non-SPICE datasets).
  import_mode = "DIRECT_QUERY"

  physical_table_map {
    physical_table_map_id = local.dataset_ids[each.key]

    relational_table {
      data_source_arn = aws_quicksight_data_source.athena.arn
      catalog         = "AwsDataCatalog"
      schema          = var.gold_database_name
      name            = each.value.view

      dynamic "input_columns" {
        for_each = each.value.columns
        content {
          name = input_columns.key
          type = input_columns.value
        }
      }
    }
  }

  logical_table_map {
    logical_table_map_id = local.dataset_ids[each.key]
    alias                = each.value.view

    source {
      physical_table_id = local.dataset_ids[each.key]
    }
  }

  permissions {
    principal = local.risk_team_group_arn
    actions   = local.data_set_user_actions
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = data.aws_glue_catalog_table.view[each.key].table_type == "VIRTUAL_VIEW"
      error_message = "${var.gold_database_name}.${each.value.view} is not an Athena view: run `finlake athena-views` after the first pipeline run, then apply."
    }
  }
}

# Changes whenever a dataset is added or removed: the dashboard is then replaced, because its
# data_set_identifiers_declarations are ignored after creation (see the lifecycle block below).
resource "terraform_data" "dataset_set" {
  input = sort([for key, ds in aws_quicksight_data_set.this : "${key}=${ds.arn}"])
}

resource "aws_quicksight_dashboard" "this" {
  count = var.create_datasets ? 1 : 0

  aws_account_id      = var.aws_account_id
  dashboard_id        = "${var.name_prefix}-${local.definition.dashboard.id}"
  name                = "${local.definition.dashboard.name} (${var.name_prefix})"
  version_description = "From ${basename(var.dashboard_definition_file)} ${substr(filesha256(var.dashboard_definition_file), 0, 12)}"

  definition {
    dynamic "data_set_identifiers_declarations" {
      for_each = aws_quicksight_data_set.this
      content {
        identifier   = data_set_identifiers_declarations.key
        data_set_arn = data_set_identifiers_declarations.value.arn
      }
    }

    sheets {
      sheet_id = local.definition.dashboard.sheet_id
      name     = local.definition.dashboard.sheet_name
      title    = local.definition.dashboard.name

      dynamic "visuals" {
        for_each = local.visuals
        content {
          dynamic "kpi_visual" {
            for_each = visuals.value.type == "kpi" ? [visuals.value] : []
            content {
              visual_id = kpi_visual.value.id
              title {
                visibility = "VISIBLE"
                format_text {
                  plain_text = kpi_visual.value.title
                }
              }
              chart_configuration {
                field_wells {
                  dynamic "values" {
                    for_each = kpi_visual.value.measures
                    content {
                      dynamic "numerical_measure_field" {
                        for_each = values.value.kind == "numerical" ? [values.value] : []
                        content {
                          field_id = numerical_measure_field.value.field_id
                          column {
                            data_set_identifier = kpi_visual.value.dataset
                            column_name         = numerical_measure_field.value.column
                          }
                          aggregation_function {
                            simple_numerical_aggregation = numerical_measure_field.value.aggregation
                          }
                        }
                      }
                      dynamic "categorical_measure_field" {
                        for_each = values.value.kind == "categorical" ? [values.value] : []
                        content {
                          field_id = categorical_measure_field.value.field_id
                          column {
                            data_set_identifier = kpi_visual.value.dataset
                            column_name         = categorical_measure_field.value.column
                          }
                          aggregation_function = categorical_measure_field.value.aggregation
                        }
                      }
                    }
                  }
                }
              }
            }
          }

          dynamic "bar_chart_visual" {
            for_each = visuals.value.type == "bar" ? [visuals.value] : []
            content {
              visual_id = bar_chart_visual.value.id
              title {
                visibility = "VISIBLE"
                format_text {
                  plain_text = bar_chart_visual.value.title
                }
              }
              chart_configuration {
                orientation      = bar_chart_visual.value.orientation
                bars_arrangement = length(bar_chart_visual.value.colors) > 0 ? "STACKED" : "CLUSTERED"
                field_wells {
                  bar_chart_aggregated_field_wells {
                    dynamic "category" {
                      for_each = bar_chart_visual.value.dimensions
                      content {
                        dynamic "categorical_dimension_field" {
                          for_each = category.value.kind == "categorical" ? [category.value] : []
                          content {
                            field_id = categorical_dimension_field.value.field_id
                            column {
                              data_set_identifier = bar_chart_visual.value.dataset
                              column_name         = categorical_dimension_field.value.column
                            }
                          }
                        }
                        dynamic "numerical_dimension_field" {
                          for_each = category.value.kind == "numerical" ? [category.value] : []
                          content {
                            field_id = numerical_dimension_field.value.field_id
                            column {
                              data_set_identifier = bar_chart_visual.value.dataset
                              column_name         = numerical_dimension_field.value.column
                            }
                          }
                        }
                        dynamic "date_dimension_field" {
                          for_each = category.value.kind == "date" ? [category.value] : []
                          content {
                            field_id         = date_dimension_field.value.field_id
                            date_granularity = date_dimension_field.value.granularity
                            column {
                              data_set_identifier = bar_chart_visual.value.dataset
                              column_name         = date_dimension_field.value.column
                            }
                          }
                        }
                      }
                    }
                    dynamic "colors" {
                      for_each = bar_chart_visual.value.colors
                      content {
                        dynamic "categorical_dimension_field" {
                          for_each = colors.value.kind == "categorical" ? [colors.value] : []
                          content {
                            field_id = categorical_dimension_field.value.field_id
                            column {
                              data_set_identifier = bar_chart_visual.value.dataset
                              column_name         = categorical_dimension_field.value.column
                            }
                          }
                        }
                        dynamic "numerical_dimension_field" {
                          for_each = colors.value.kind == "numerical" ? [colors.value] : []
                          content {
                            field_id = numerical_dimension_field.value.field_id
                            column {
                              data_set_identifier = bar_chart_visual.value.dataset
                              column_name         = numerical_dimension_field.value.column
                            }
                          }
                        }
                      }
                    }
                    dynamic "values" {
                      for_each = bar_chart_visual.value.measures
                      content {
                        dynamic "numerical_measure_field" {
                          for_each = values.value.kind == "numerical" ? [values.value] : []
                          content {
                            field_id = numerical_measure_field.value.field_id
                            column {
                              data_set_identifier = bar_chart_visual.value.dataset
                              column_name         = numerical_measure_field.value.column
                            }
                            aggregation_function {
                              simple_numerical_aggregation = numerical_measure_field.value.aggregation
                            }
                          }
                        }
                        dynamic "categorical_measure_field" {
                          for_each = values.value.kind == "categorical" ? [values.value] : []
                          content {
                            field_id = categorical_measure_field.value.field_id
                            column {
                              data_set_identifier = bar_chart_visual.value.dataset
                              column_name         = categorical_measure_field.value.column
                            }
                            aggregation_function = categorical_measure_field.value.aggregation
                          }
                        }
                      }
                    }
                  }
                }
                dynamic "sort_configuration" {
                  for_each = bar_chart_visual.value.sort
                  content {
                    category_sort {
                      field_sort {
                        field_id  = sort_configuration.value.field_id
                        direction = sort_configuration.value.direction
                      }
                    }
                  }
                }
              }
            }
          }

          dynamic "line_chart_visual" {
            for_each = visuals.value.type == "line" ? [visuals.value] : []
            content {
              visual_id = line_chart_visual.value.id
              title {
                visibility = "VISIBLE"
                format_text {
                  plain_text = line_chart_visual.value.title
                }
              }
              chart_configuration {
                type = "LINE"
                field_wells {
                  line_chart_aggregated_field_wells {
                    dynamic "category" {
                      for_each = line_chart_visual.value.dimensions
                      content {
                        dynamic "date_dimension_field" {
                          for_each = category.value.kind == "date" ? [category.value] : []
                          content {
                            field_id         = date_dimension_field.value.field_id
                            date_granularity = date_dimension_field.value.granularity
                            column {
                              data_set_identifier = line_chart_visual.value.dataset
                              column_name         = date_dimension_field.value.column
                            }
                          }
                        }
                        dynamic "categorical_dimension_field" {
                          for_each = category.value.kind == "categorical" ? [category.value] : []
                          content {
                            field_id = categorical_dimension_field.value.field_id
                            column {
                              data_set_identifier = line_chart_visual.value.dataset
                              column_name         = categorical_dimension_field.value.column
                            }
                          }
                        }
                      }
                    }
                    dynamic "values" {
                      for_each = line_chart_visual.value.measures
                      content {
                        dynamic "numerical_measure_field" {
                          for_each = values.value.kind == "numerical" ? [values.value] : []
                          content {
                            field_id = numerical_measure_field.value.field_id
                            column {
                              data_set_identifier = line_chart_visual.value.dataset
                              column_name         = numerical_measure_field.value.column
                            }
                            aggregation_function {
                              simple_numerical_aggregation = numerical_measure_field.value.aggregation
                            }
                          }
                        }
                      }
                    }
                  }
                }
                dynamic "sort_configuration" {
                  for_each = line_chart_visual.value.sort
                  content {
                    category_sort {
                      field_sort {
                        field_id  = sort_configuration.value.field_id
                        direction = sort_configuration.value.direction
                      }
                    }
                  }
                }
              }
            }
          }

          dynamic "table_visual" {
            for_each = visuals.value.type == "table" ? [visuals.value] : []
            content {
              visual_id = table_visual.value.id
              title {
                visibility = "VISIBLE"
                format_text {
                  plain_text = table_visual.value.title
                }
              }
              chart_configuration {
                field_wells {
                  dynamic "table_unaggregated_field_wells" {
                    for_each = table_visual.value.aggregated ? [] : [table_visual.value]
                    content {
                      dynamic "values" {
                        for_each = table_unaggregated_field_wells.value.columns
                        content {
                          field_id = values.value.field_id
                          column {
                            data_set_identifier = table_visual.value.dataset
                            column_name         = values.value.column
                          }
                        }
                      }
                    }
                  }
                  dynamic "table_aggregated_field_wells" {
                    for_each = table_visual.value.aggregated ? [table_visual.value] : []
                    content {
                      dynamic "group_by" {
                        for_each = table_aggregated_field_wells.value.dimensions
                        content {
                          dynamic "categorical_dimension_field" {
                            for_each = group_by.value.kind == "categorical" ? [group_by.value] : []
                            content {
                              field_id = categorical_dimension_field.value.field_id
                              column {
                                data_set_identifier = table_visual.value.dataset
                                column_name         = categorical_dimension_field.value.column
                              }
                            }
                          }
                          dynamic "numerical_dimension_field" {
                            for_each = group_by.value.kind == "numerical" ? [group_by.value] : []
                            content {
                              field_id = numerical_dimension_field.value.field_id
                              column {
                                data_set_identifier = table_visual.value.dataset
                                column_name         = numerical_dimension_field.value.column
                              }
                            }
                          }
                        }
                      }
                      dynamic "values" {
                        for_each = table_aggregated_field_wells.value.measures
                        content {
                          dynamic "numerical_measure_field" {
                            for_each = values.value.kind == "numerical" ? [values.value] : []
                            content {
                              field_id = numerical_measure_field.value.field_id
                              column {
                                data_set_identifier = table_visual.value.dataset
                                column_name         = numerical_measure_field.value.column
                              }
                              aggregation_function {
                                simple_numerical_aggregation = numerical_measure_field.value.aggregation
                              }
                            }
                          }
                          dynamic "categorical_measure_field" {
                            for_each = values.value.kind == "categorical" ? [values.value] : []
                            content {
                              field_id = categorical_measure_field.value.field_id
                              column {
                                data_set_identifier = table_visual.value.dataset
                                column_name         = categorical_measure_field.value.column
                              }
                              aggregation_function = categorical_measure_field.value.aggregation
                            }
                          }
                          dynamic "date_measure_field" {
                            for_each = values.value.kind == "date" ? [values.value] : []
                            content {
                              field_id = date_measure_field.value.field_id
                              column {
                                data_set_identifier = table_visual.value.dataset
                                column_name         = date_measure_field.value.column
                              }
                              aggregation_function = date_measure_field.value.aggregation
                            }
                          }
                        }
                      }
                    }
                  }
                }
                dynamic "sort_configuration" {
                  for_each = table_visual.value.sort
                  content {
                    row_sort {
                      field_sort {
                        field_id  = sort_configuration.value.field_id
                        direction = sort_configuration.value.direction
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }

      # An explicit grid: without it QuickSight generates a layout, which then shows as a diff.
      layouts {
        configuration {
          grid_layout {
            canvas_size_options {
              screen_canvas_size_options {
                resize_option             = "FIXED"
                optimized_view_port_width = "1600px"
              }
            }
            dynamic "elements" {
              for_each = local.visuals
              content {
                element_id   = elements.value.id
                element_type = "VISUAL"
                column_index = elements.value.layout.col
                column_span  = elements.value.layout.width
                row_index    = elements.value.layout.row
                row_span     = elements.value.layout.height
              }
            }
          }
        }
      }
    }
  }

  # Every option set explicitly: the block is Optional+Computed, so leaving one out invites a diff.
  dashboard_publish_options {
    ad_hoc_filtering_option {
      availability_status = "ENABLED"
    }
    export_to_csv_option {
      availability_status = "DISABLED" # customer-level rows stay in QuickSight
    }
    sheet_controls_option {
      visibility_state = "COLLAPSED"
    }
  }

  permissions {
    principal = local.risk_team_group_arn
    actions   = local.dashboard_viewer_actions
  }

  tags = var.tags

  lifecycle {
    # QuickSight returns the dataset declarations in its own order, which the provider reports as a
    # change on every plan (hashicorp/terraform-provider-aws#36733). They only change when a dataset
    # is added or removed, and that replaces the dashboard through terraform_data.dataset_set.
    ignore_changes       = [definition[0].data_set_identifiers_declarations]
    replace_triggered_by = [terraform_data.dataset_set]
  }
}

# QuickSight queries Athena as its service role; Athena results and the Gold data are encrypted with the
# lake key, so the role must decrypt (reading) and generate data keys (writing query results).
data "aws_iam_policy_document" "service_role_kms" {
  statement {
    sid       = "UseTheLakeKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "service_role_kms" {
  count = var.service_role_name == null ? 0 : 1

  name   = "${var.name_prefix}-quicksight-lake-key"
  role   = var.service_role_name
  policy = data.aws_iam_policy_document.service_role_kms.json
}
