locals {
  node_config = {
    service_account = google_service_account.nodes.email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]
  }
}

resource "google_container_node_pool" "app" {
  name     = "app"
  cluster  = google_container_cluster.confer.id
  location = var.region

  autoscaling {
    min_node_count = var.app_nodes.min_per_zone
    max_node_count = var.app_nodes.max_per_zone
  }
  management {
    auto_repair  = true
    auto_upgrade = true
  }

  node_config {
    machine_type    = var.app_nodes.machine_type
    image_type      = "COS_CONTAINERD"
    service_account = local.node_config.service_account
    oauth_scopes    = local.node_config.oauth_scopes
    labels          = { "confer.io/pool" = "app" }
    metadata        = { "disable-legacy-endpoints" = "true" }
    workload_metadata_config {
      mode = "GKE_METADATA"
    }
    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }
  }
}

# Media nodes have public addresses (media is UDP straight to them) and a taint only media pods tolerate.
resource "google_container_node_pool" "media" {
  name     = "media"
  cluster  = google_container_cluster.confer.id
  location = var.region

  autoscaling {
    min_node_count = var.media_nodes.min_per_zone
    max_node_count = var.media_nodes.max_per_zone
  }
  management {
    auto_repair  = true
    auto_upgrade = true
  }
  # Upgrades replace a media node only after its pod has drained (the chart's preStop and grace period).
  upgrade_settings {
    max_surge       = 1
    max_unavailable = 0
  }

  network_config {
    enable_private_nodes = false
  }

  node_config {
    machine_type    = var.media_nodes.machine_type
    image_type      = "COS_CONTAINERD"
    service_account = local.node_config.service_account
    oauth_scopes    = local.node_config.oauth_scopes
    labels          = { "confer.io/pool" = "media" }
    tags            = ["${var.name}-media"]
    metadata        = { "disable-legacy-endpoints" = "true" }
    taint {
      key    = "confer.io/media"
      value  = "true"
      effect = "NO_SCHEDULE"
    }
    workload_metadata_config {
      mode = "GKE_METADATA"
    }
    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }
  }
}
