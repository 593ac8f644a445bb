resource "google_compute_network" "confer" {
  name                    = var.name
  auto_create_subnetworks = false
}

resource "google_compute_subnetwork" "nodes" {
  name                     = "${var.name}-nodes"
  network                  = google_compute_network.confer.id
  region                   = var.region
  ip_cidr_range            = var.cidr.nodes
  private_ip_google_access = true
  secondary_ip_range {
    range_name    = "pods"
    ip_cidr_range = var.cidr.pods
  }
  secondary_ip_range {
    range_name    = "services"
    ip_cidr_range = var.cidr.services
  }
  log_config {
    aggregation_interval = "INTERVAL_1_MIN"
    flow_sampling        = 0.5
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

# Application nodes have no public address: they reach Stripe, push services and mail through Cloud NAT.
resource "google_compute_router" "confer" {
  name    = var.name
  network = google_compute_network.confer.id
  region  = var.region
}

resource "google_compute_router_nat" "confer" {
  name                               = var.name
  router                             = google_compute_router.confer.name
  region                             = var.region
  nat_ip_allocate_option             = "AUTO_ONLY"
  source_subnetwork_ip_ranges_to_nat = "ALL_SUBNETWORKS_ALL_IP_RANGES"
  log_config {
    enable = true
    filter = "ERRORS_ONLY"
  }
}

# Cloud SQL and Memorystore get private addresses in this network (private services access).
resource "google_compute_global_address" "services" {
  name          = "${var.name}-services"
  purpose       = "VPC_PEERING"
  address_type  = "INTERNAL"
  prefix_length = 20
  network       = google_compute_network.confer.id
}

resource "google_service_networking_connection" "services" {
  network                 = google_compute_network.confer.id
  service                 = "servicenetworking.googleapis.com"
  reserved_peering_ranges = [google_compute_global_address.services.name]
}
