data "aws_partition" "current" {}

locals {
  bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}"
}

# One private, KMS-encrypted, versioned, logged bucket. Every lake bucket is an instance of this module
# so the controls cannot drift apart between layers.
resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_144:Cross-region replication doubles storage cost; the lake is rebuildable from Bronze and Bronze is versioned. Enable per bank DR policy.
  #checkov:skip=CKV2_AWS_62:No consumer of S3 event notifications; the Glue workflow runs on a schedule.
  bucket        = var.bucket_name
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    # Bucket keys cut KMS requests (and their cost) by orders of magnitude for Spark's many small reads.
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_logging" "this" {
  bucket        = aws_s3_bucket.this.id
  target_bucket = var.access_log_bucket
  target_prefix = "${var.bucket_name}/"
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    id     = "housekeeping"
    status = "Enabled"
    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_days
    }

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }

    dynamic "transition" {
      for_each = var.transitions
      content {
        days          = transition.value.days
        storage_class = transition.value.storage_class
      }
    }

    dynamic "expiration" {
      for_each = var.expiration_days == null ? [] : [var.expiration_days]
      content {
        days = expiration.value
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

locals {
  # Statements that are always present are literal; optional ones carry an `enabled` flag and are
  # filtered with a for expression (a conditional between differently shaped tuples would not type-check).
  optional_statements = [
    {
      # Classic "deny unencrypted uploads": every writer must ask for SSE-KMS explicitly (Glue does via
      # its security configuration, Athena via its workgroup, Terraform via aws_s3_object).
      enabled = var.require_kms_header_on_upload
      statement = {
        Sid       = "DenyUploadsWithoutEncryptionHeader"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:PutObject"
        Resource  = "${local.bucket_arn}/*"
        Condition = { Null = { "s3:x-amz-server-side-encryption" = "true" } }
      }
    },
    {
      enabled = var.require_kms_header_on_upload
      statement = {
        Sid       = "DenyUploadsNotEncryptedWithKms"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:PutObject"
        Resource  = "${local.bucket_arn}/*"
        Condition = { StringNotEquals = { "s3:x-amz-server-side-encryption" = "aws:kms" } }
      }
    },
    {
      # Immutability: the listed principals (the pipeline roles, for Bronze) can never delete or
      # overwrite what landed here, whatever their identity policies say.
      enabled = length(var.immutable_for_principal_arns) > 0
      statement = {
        Sid       = "DenyListedPrincipalsDeletingOrRewriting"
        Effect    = "Deny"
        Principal = "*"
        Action = [
          "s3:DeleteObject",
          "s3:DeleteObjectVersion",
          "s3:PutObject",
          "s3:PutLifecycleConfiguration",
          "s3:PutBucketVersioning",
        ]
        Resource  = [local.bucket_arn, "${local.bucket_arn}/*"]
        Condition = { ArnLike = { "aws:PrincipalArn" = var.immutable_for_principal_arns } }
      }
    },
    {
      # Need to know: whatever an identity policy grants, only the listed roles read an object here
      # (the PII buckets: the Silver job, the table optimizer, named operators). Listing keys and
      # administering the bucket stay with IAM.
      enabled = length(var.read_limited_to_principal_arns) > 0
      statement = {
        Sid       = "DenyReadsByUnlistedPrincipals"
        Effect    = "Deny"
        Principal = "*"
        Action    = ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAttributes", "s3:GetObjectVersionAttributes", "s3:RestoreObject"]
        Resource  = "${local.bucket_arn}/*"
        Condition = { ArnNotLike = { "aws:PrincipalArn" = var.read_limited_to_principal_arns } }
      }
    },
  ]
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid       = "DenyInsecureTransport"
          Effect    = "Deny"
          Principal = "*"
          Action    = "s3:*"
          Resource  = [local.bucket_arn, "${local.bucket_arn}/*"]
          Condition = { Bool = { "aws:SecureTransport" = "false" } }
        },
        {
          Sid       = "DenyUploadsWithAnotherKmsKey"
          Effect    = "Deny"
          Principal = "*"
          Action    = "s3:PutObject"
          Resource  = "${local.bucket_arn}/*"
          Condition = {
            StringNotEquals = { "s3:x-amz-server-side-encryption-aws-kms-key-id" = var.kms_key_arn }
            Null            = { "s3:x-amz-server-side-encryption-aws-kms-key-id" = "false" }
          }
        },
      ],
      [for s in local.optional_statements : s.statement if s.enabled],
    )
  })

  depends_on = [aws_s3_bucket_public_access_block.this]
}
