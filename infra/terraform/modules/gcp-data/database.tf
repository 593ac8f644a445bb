# Private address only, TLS required, daily backups with point-in-time recovery, and logs of connections, schema
# changes (log_statement = ddl) and pgAudit. No statement text in the logs (it can hold personal data): Query
# Insights shows the slow queries.
resource "google_sql_database_instance" "confer" {
  name                = var.name
  region              = var.region
  database_version    = var.postgres.version
  deletion_protection = true

  settings {
    tier              = var.postgres.tier
    availability_type = var.postgres.high_availability ? "REGIONAL" : "ZONAL"
    disk_size         = var.postgres.disk_size_gb
    disk_autoresize   = true

    ip_configuration {
      ipv4_enabled                                  = false
      private_network                               = var.network_id
      ssl_mode                                      = "ENCRYPTED_ONLY"
      enable_private_path_for_google_cloud_services = true
    }

    backup_configuration {
      enabled                        = true
      start_time                     = "02:00"
      point_in_time_recovery_enabled = true
      transaction_log_retention_days = 7
      backup_retention_settings {
        retained_backups = var.postgres.backup_retention_days
      }
    }

    maintenance_window {
      day  = 7
      hour = 3
    }

    insights_config {
      query_insights_enabled = true
    }

    database_flags {
      name  = "log_connections"
      value = "on"
    }
    database_flags {
      name  = "log_disconnections"
      value = "on"
    }
    database_flags {
      name  = "log_checkpoints"
      value = "on"
    }
    database_flags {
      name  = "log_lock_waits"
      value = "on"
    }
    database_flags {
      name  = "log_hostname"
      value = "on"
    }
    database_flags {
      name  = "log_statement"
      value = "ddl"
    }
    database_flags {
      name  = "log_min_duration_statement"
      value = "-1"
    }
    database_flags {
      name  = "log_min_messages"
      value = "error"
    }
    database_flags {
      name  = "log_min_error_statement"
      value = "error"
    }
    database_flags {
      name  = "log_temp_files"
      value = "0"
    }
    database_flags {
      name  = "cloudsql.enable_pgaudit"
      value = "on"
    }
  }
}

resource "google_sql_database" "confer" {
  name     = "confer"
  instance = google_sql_database_instance.confer.name
}

resource "google_sql_user" "confer" {
  name     = "confer"
  instance = google_sql_database_instance.confer.name
  password = var.database_password
}
