output "cluster_name" {
  description = "EKS cluster name."
  value       = module.eks.cluster_name
}

output "endpoint" {
  description = "Kubernetes API endpoint."
  value       = module.eks.cluster_endpoint
}

output "ca_certificate" {
  description = "Cluster CA certificate (base64)."
  value       = module.eks.cluster_certificate_authority_data
}

output "node_security_group_id" {
  description = "Security group of every node (PostgreSQL and Redis accept connections from it)."
  value       = module.eks.node_security_group_id
}
