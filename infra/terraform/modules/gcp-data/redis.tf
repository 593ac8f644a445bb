# Standard tier (a replica in another zone takes over), AUTH, and TLS in transit. Memorystore's certificate is
# signed by a per-instance CA that Confer has no setting for yet, so the URL encrypts without verifying the server
# (ssl_cert_reqs=none); the instance is reachable from this private network only.
resource "google_redis_instance" "confer" {
  name               = var.name
  region             = var.region
  tier               = "STANDARD_HA"
  redis_version      = var.redis.version
  memory_size_gb     = var.redis.memory_size_gb
  authorized_network = var.network_id
  connect_mode       = "PRIVATE_SERVICE_ACCESS"

  auth_enabled            = true
  transit_encryption_mode = "SERVER_AUTHENTICATION"

  maintenance_policy {
    weekly_maintenance_window {
      day = "SUNDAY"
      start_time {
        hours   = 3
        minutes = 30
      }
    }
  }
}
