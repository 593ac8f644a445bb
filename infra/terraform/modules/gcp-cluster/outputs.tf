output "cluster_name" {
  description = "GKE cluster name."
  value       = google_container_cluster.confer.name
}

output "endpoint" {
  description = "Kubernetes API endpoint."
  value       = "https://${google_container_cluster.confer.endpoint}"
}

output "ca_certificate" {
  description = "Cluster CA certificate (base64)."
  value       = google_container_cluster.confer.master_auth[0].cluster_ca_certificate
}
