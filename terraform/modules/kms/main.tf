data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_root = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"
  logs_arn     = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}"
}

# One customer-managed key encrypts the whole lake: S3 objects, Glue logs/bookmarks/catalog, Athena
# results, CloudWatch log groups. Access is granted through IAM (the first statement delegates to the
# account), so each role's policy names exactly what it may do with the key.
resource "aws_kms_key" "this" {
  description             = "${var.name_prefix}: encrypts the data lake, Glue, Athena results and logs"
  enable_key_rotation     = true
  rotation_period_in_days = var.rotation_period_in_days
  deletion_window_in_days = var.deletion_window_in_days
  policy                  = data.aws_iam_policy_document.key_policy.json
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name_prefix}-data"
  target_key_id = aws_kms_key.this.key_id
}

data "aws_iam_policy_document" "key_policy" {
  #checkov:skip=CKV_AWS_109:A key policy's Resource "*" is this key only; administering it through the account root is the AWS-recommended way to avoid an unmanageable key.
  #checkov:skip=CKV_AWS_111:A key policy's Resource "*" is this key only; write actions are limited to the account and the logs service (with an encryption-context condition).
  #checkov:skip=CKV_AWS_356:In a key policy Resource must be "*" (it means the key the policy is attached to).
  # In a key policy "*" as resource means "this key". Listing actions instead of kms:* keeps the
  # account able to administer and use the key through IAM without a wildcard action.
  statement {
    sid    = "AccountAdministersAndDelegatesToIam"
    effect = "Allow"
    principals {
      type        = "AWS"
      identifiers = [local.account_root]
    }
    actions = [
      "kms:CancelKeyDeletion",
      "kms:CreateAlias",
      "kms:CreateGrant",
      "kms:Decrypt",
      "kms:DeleteAlias",
      "kms:DescribeKey",
      "kms:DisableKey",
      "kms:DisableKeyRotation",
      "kms:EnableKey",
      "kms:EnableKeyRotation",
      "kms:Encrypt",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:GetKeyPolicy",
      "kms:GetKeyRotationStatus",
      "kms:ListAliases",
      "kms:ListGrants",
      "kms:ListKeyPolicies",
      "kms:ListResourceTags",
      "kms:PutKeyPolicy",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
      "kms:RetireGrant",
      "kms:RevokeGrant",
      "kms:RotateKeyOnDemand",
      "kms:ScheduleKeyDeletion",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:UpdateAlias",
      "kms:UpdateKeyDescription",
    ]
    resources = ["*"]
  }

  # CloudWatch Logs encrypts log groups with the key itself, so the service needs the key policy;
  # the encryption context restricts it to log groups of this account and region.
  statement {
    sid    = "CloudWatchLogsEncryptsThisAccountsLogGroups"
    effect = "Allow"
    principals {
      type        = "Service"
      identifiers = ["logs.${data.aws_region.current.region}.amazonaws.com"]
    }
    actions = [
      "kms:Decrypt",
      "kms:DescribeKey",
      "kms:Encrypt",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
    ]
    resources = ["*"]
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["${local.logs_arn}:log-group:*"]
    }
  }

  dynamic "statement" {
    for_each = length(var.additional_service_principals) > 0 ? [1] : []
    content {
      sid    = "ServicesOfThisAccountUseTheKey"
      effect = "Allow"
      principals {
        type        = "Service"
        identifiers = var.additional_service_principals
      }
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = ["*"]
      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [data.aws_caller_identity.current.account_id]
      }
    }
  }
}
