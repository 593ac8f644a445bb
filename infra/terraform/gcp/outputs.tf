output "cluster_name" {
  description = "GKE cluster (gcloud container clusters get-credentials <this> --region <region>)."
  value       = module.cluster.cluster_name
}

output "bucket" {
  description = "Confer's bucket (backups, exports)."
  value       = module.data.bucket
}

output "database_instance" {
  description = "Cloud SQL instance (backups, point-in-time restore)."
  value       = module.data.database_instance
}

output "secret_id" {
  description = "Secret Manager secret holding every Confer secret."
  value       = google_secret_manager_secret.confer.id
}

output "namespace" {
  description = "Kubernetes namespace of Confer."
  value       = module.release.namespace
}
