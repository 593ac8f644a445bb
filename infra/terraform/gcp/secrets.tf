# The same secrets the cluster reads, kept in Secret Manager: the place operators read them from, and their
# history (each change is a new version). Rotation is Terraform's (docs/operations.md).
resource "google_secret_manager_secret" "confer" {
  secret_id = "${var.name}-app"
  replication {
    user_managed {
      replicas {
        location = var.region
      }
    }
  }
}

resource "google_secret_manager_secret_version" "confer" {
  secret      = google_secret_manager_secret.confer.id
  secret_data = jsonencode(local.secret_data)
}
