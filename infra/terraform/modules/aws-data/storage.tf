# Confer's bucket: database exports and other backups an operator takes (docs/operations.md), versioned and private.
resource "aws_s3_bucket" "confer" {
  bucket_prefix = "${var.name}-"
}

resource "aws_s3_bucket_public_access_block" "confer" {
  bucket                  = aws_s3_bucket.confer.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "confer" {
  bucket = aws_s3_bucket.confer.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "confer" {
  bucket = aws_s3_bucket.confer.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.confer.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "confer" {
  bucket = aws_s3_bucket.confer.id
  rule {
    id     = "expire-old-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 90
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}
