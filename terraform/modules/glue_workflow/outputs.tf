output "workflow_name" {
  description = "Name of the Glue workflow (start it by hand with `aws glue start-workflow-run --name <this>`)."
  value       = aws_glue_workflow.this.name
}

output "trigger_names" {
  description = "Names of the schedule and the two conditional triggers."
  value       = [aws_glue_trigger.schedule.name, aws_glue_trigger.silver_to_gold.name, aws_glue_trigger.crawlers.name]
}
