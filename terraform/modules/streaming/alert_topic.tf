# Exactly-once alert delivery. The monitor publishes each alert to a FIFO topic of its own, with the alert id
# as MessageDeduplicationId and the account as MessageGroupId (finlake.stream.aws.SnsPublisher): a repeat
# published after a crash between publication and the SENT mark is dropped by SNS (5-minute deduplication
# interval; the event source mapping retries at once). Its one subscriber is an SQS FIFO queue — the
# compliance case system reads alerts from there, each once. FIFO topics deliver to SQS only (no e-mail,
# no HTTPS, no Firehose), so the monitor also publishes a notification copy to the platform's standard alert
# topic (var.alert_topic_arn: e-mail and chat subscribers), where such a crash can repeat an alert once
# (message attribute alert_id lets a subscriber drop it). README: "Real-time transaction monitoring".
#
# And the watermark tick: an EventBridge schedule invokes the monitor with {"type": "finlake.stream.tick"};
# it puts a tick record into each quiet shard that holds bursts (finlake.stream.tick), so held STRUCTURING
# and VELOCITY bursts are released by processing time when a shard goes quiet.

resource "aws_sns_topic" "alerts" {
  name                        = "${local.name}-alerts.fifo"
  fifo_topic                  = true
  content_based_deduplication = false # the monitor sets MessageDeduplicationId = alert_id
  kms_master_key_id           = var.kms_key_arn
  tags                        = var.tags
}

resource "aws_sqs_queue" "alerts" {
  name                        = "${local.name}-alerts.fifo"
  fifo_queue                  = true
  content_based_deduplication = false # SNS passes the alert id on as the deduplication id
  kms_master_key_id           = var.kms_key_arn
  message_retention_seconds   = 1209600 # 14 days for the case system to read each alert
  visibility_timeout_seconds  = 300
  tags                        = var.tags
}

data "aws_iam_policy_document" "alerts_queue" {
  statement {
    sid       = "OnlyTheAlertTopicSends"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.alerts.arn]
    principals {
      type        = "Service"
      identifiers = ["sns.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_sns_topic.alerts.arn]
    }
  }
}

resource "aws_sqs_queue_policy" "alerts" {
  queue_url = aws_sqs_queue.alerts.id
  policy    = data.aws_iam_policy_document.alerts_queue.json
}

resource "aws_sns_topic_subscription" "alerts" {
  topic_arn            = aws_sns_topic.alerts.arn
  protocol             = "sqs"
  endpoint             = aws_sqs_queue.alerts.arn
  raw_message_delivery = true # the queue holds the alert JSON itself
}

resource "aws_cloudwatch_event_rule" "tick" {
  name                = "${local.name}-tick"
  description         = "Watermark tick for quiet shards of the transaction monitor (releases held bursts)."
  schedule_expression = var.tick_schedule_expression
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "tick" {
  rule  = aws_cloudwatch_event_rule.tick.name
  arn   = aws_lambda_function.this.arn
  input = jsonencode({ type = "finlake.stream.tick" })
}

resource "aws_lambda_permission" "tick" {
  statement_id  = "AllowEventBridgeTick"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.tick.arn
}
