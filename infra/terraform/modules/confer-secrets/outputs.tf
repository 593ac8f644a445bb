output "database_password" {
  description = "Password of the application's PostgreSQL user."
  value       = random_password.database.result
  sensitive   = true
}

output "redis_password" {
  description = "Redis AUTH token."
  value       = random_password.redis.result
  sensitive   = true
}

output "app_secrets" {
  description = "The keys of the chart's secret groups that do not depend on a cloud service (the chart README lists them)."
  sensitive   = true
  value = {
    "jwt-signing-key"      = tls_private_key.jwt.private_key_pem
    "janus-admin-secret"   = random_password.janus["admin"].result
    "janus-token-secret"   = random_password.janus["token"].result
    "janus-room-admin-key" = random_password.janus["room_admin"].result
    "janus-events-secret"  = random_password.janus["events"].result
    "turn-secret"          = random_password.turn.result
    "metrics-token"        = random_password.metrics.result
  }
}

output "jwt_signing_kid" {
  description = "Key id of the current JWT signing key (CONFER_JWT_SIGNING_KID)."
  value       = random_id.jwt_kid.hex
}
