output "cluster_name" {
  description = "EKS cluster (aws eks update-kubeconfig --name <this> --region <region>)."
  value       = module.cluster.cluster_name
}

output "bucket" {
  description = "Confer's S3 bucket (backups, exports)."
  value       = module.data.bucket
}

output "database_instance" {
  description = "RDS instance identifier (snapshots, point-in-time restore)."
  value       = module.data.database_instance
}

output "secret_arn" {
  description = "Secrets Manager secret holding every Confer secret."
  value       = aws_secretsmanager_secret.confer.arn
}

output "namespace" {
  description = "Kubernetes namespace of Confer."
  value       = module.release.namespace
}
