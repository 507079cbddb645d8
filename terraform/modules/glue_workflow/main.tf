# Scheduled trigger -> bronze_to_silver -> (on SUCCEEDED) silver_to_gold -> (on SUCCEEDED) crawlers
# (Bronze only: each Iceberg commit of the jobs registers Silver, Gold and the quarantine itself).

resource "aws_glue_workflow" "this" {
  name                = "${var.name_prefix}-pipeline"
  description         = "finlake: Bronze -> Silver -> Gold (Iceberg commits), then crawl Bronze."
  max_concurrent_runs = 1
}

resource "aws_glue_trigger" "schedule" {
  name              = "${var.name_prefix}-start-bronze-to-silver"
  description       = "Starts the pipeline on its schedule."
  workflow_name     = aws_glue_workflow.this.name
  type              = "SCHEDULED"
  schedule          = var.schedule_expression
  enabled           = var.schedule_enabled
  start_on_creation = var.schedule_enabled

  actions {
    job_name = var.job_names["bronze_to_silver"]
  }
}

resource "aws_glue_trigger" "silver_to_gold" {
  name              = "${var.name_prefix}-silver-to-gold-after-silver"
  description       = "Builds Gold once Silver succeeded."
  workflow_name     = aws_glue_workflow.this.name
  type              = "CONDITIONAL"
  start_on_creation = true

  predicate {
    conditions {
      job_name         = var.job_names["bronze_to_silver"]
      state            = "SUCCEEDED"
      logical_operator = "EQUALS"
    }
  }

  actions {
    job_name = var.job_names["silver_to_gold"]
  }
}

resource "aws_glue_trigger" "crawlers" {
  name              = "${var.name_prefix}-crawl-after-gold"
  description       = "Crawls the new Bronze deliveries once Gold succeeded."
  workflow_name     = aws_glue_workflow.this.name
  type              = "CONDITIONAL"
  start_on_creation = true

  predicate {
    conditions {
      job_name         = var.job_names["silver_to_gold"]
      state            = "SUCCEEDED"
      logical_operator = "EQUALS"
    }
  }

  dynamic "actions" {
    for_each = var.crawler_names
    content {
      crawler_name = actions.value
    }
  }
}
