output "database_url" {
  description = "CONFER_DATABASE_URL (TLS required)."
  value       = "postgresql://confer:${var.database_password}@${aws_db_instance.confer.endpoint}/confer?sslmode=require"
  sensitive   = true
}

output "redis_url" {
  description = "CONFER_REDIS_URL (TLS, AUTH)."
  value       = "rediss://:${var.redis_auth_token}@${aws_elasticache_replication_group.confer.primary_endpoint_address}:6379/0"
  sensitive   = true
}

output "bucket" {
  description = "Name of Confer's S3 bucket."
  value       = aws_s3_bucket.confer.bucket
}

output "kms_key_arn" {
  description = "The customer-managed KMS key of Confer's data at rest."
  value       = aws_kms_key.confer.arn
}

output "database_instance" {
  description = "RDS instance identifier (for snapshots and restores)."
  value       = aws_db_instance.confer.identifier
}
