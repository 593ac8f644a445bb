# Confer's bucket: database exports and other backups an operator takes (docs/operations.md), versioned and private.
resource "google_storage_bucket" "confer" {
  name                        = "${var.name}-${random_id.bucket.hex}"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 90
    }
    action {
      type = "Delete"
    }
  }
}

resource "random_id" "bucket" {
  byte_length = 4
}
