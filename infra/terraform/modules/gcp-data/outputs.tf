output "database_url" {
  description = "CONFER_DATABASE_URL (private address, TLS required)."
  value       = "postgresql://confer:${var.database_password}@${google_sql_database_instance.confer.private_ip_address}:5432/confer?sslmode=require"
  sensitive   = true
}

output "redis_url" {
  description = "CONFER_REDIS_URL (TLS, AUTH)."
  value       = "rediss://:${google_redis_instance.confer.auth_string}@${google_redis_instance.confer.host}:${google_redis_instance.confer.port}/0?ssl_cert_reqs=none"
  sensitive   = true
}

output "bucket" {
  description = "Name of Confer's bucket."
  value       = google_storage_bucket.confer.name
}

output "database_instance" {
  description = "Cloud SQL instance name (backups, restores)."
  value       = google_sql_database_instance.confer.name
}
