# The dashboard definition file (quicksight/dashboard.yaml), normalised into what main.tf's dynamic
# blocks iterate over. Pure expressions, no resources: tests/quicksight evaluates this file with real
# Terraform (offline, no provider) and compares the result with the local HTML page.

locals {
  definition = yamldecode(file(var.dashboard_definition_file))

  # Dataset key -> {view, columns: {column -> QuickSight type}}.
  datasets = local.definition.datasets

  # The QuickSight id form of each dataset key: physical/logical table ids allow only [0-9a-zA-Z-].
  dataset_ids = { for key, _ in local.datasets : key => replace(key, "_", "-") }

  numeric_types = ["INTEGER", "DECIMAL"]

  visuals = [
    for v in local.definition.visuals : {
      id          = v.id
      type        = v.type
      title       = v.title
      dataset     = v.dataset
      aggregated  = length(try(v.columns, [])) == 0
      orientation = try(v.orientation, "VERTICAL")
      layout      = v.layout

      # A dimension's kind decides the field block: categorical_, date_ or numerical_dimension_field.
      dimensions = [
        for d in try(v.group_by, []) : {
          field_id    = "${v.id}.${d.column}"
          column      = d.column
          granularity = try(d.granularity, null)
          kind = (
            local.datasets[v.dataset].columns[d.column] == "DATETIME" ? "date" :
            contains(local.numeric_types, local.datasets[v.dataset].columns[d.column]) ? "numerical" : "categorical"
          )
        }
      ]
      colors = [
        for d in(try(v.color_by, null) == null ? [] : [v.color_by]) : {
          field_id    = "${v.id}.${d.column}"
          column      = d.column
          granularity = null
          kind        = contains(local.numeric_types, local.datasets[v.dataset].columns[d.column]) ? "numerical" : "categorical"
        }
      ]

      # A measure's kind decides the field block: numbers are numerical_measure_field (any
      # aggregation), text is categorical_measure_field (COUNT, DISTINCT_COUNT), timestamps date_measure_field.
      measures = [
        for m in try(v.values, []) : {
          field_id    = "${v.id}.${m.column}.${m.aggregation}"
          column      = m.column
          aggregation = m.aggregation
          kind = (
            contains(local.numeric_types, local.datasets[v.dataset].columns[m.column]) ? "numerical" :
            local.datasets[v.dataset].columns[m.column] == "DATETIME" ? "date" : "categorical"
          )
        }
      ]

      # Unaggregated tables: the rows as they are.
      columns = [for c in try(v.columns, []) : { field_id = "${v.id}.${c}", column = c }]

      # Sort by the field (dimension, measure or column) that reads the sort column.
      sort = try(v.sort, null) == null ? [] : [{
        direction = v.sort.direction
        field_id = one(distinct(concat(
          [for d in concat(try(v.group_by, []), try(v.color_by, null) == null ? [] : [v.color_by]) : "${v.id}.${d.column}" if d.column == v.sort.column],
          [for m in try(v.values, []) : "${v.id}.${m.column}.${m.aggregation}" if m.column == v.sort.column],
          [for c in try(v.columns, []) : "${v.id}.${c}" if c == v.sort.column],
        )))
      }]
    }
  ]
}
