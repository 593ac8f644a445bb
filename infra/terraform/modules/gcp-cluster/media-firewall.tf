# What the internet may send to a media node: media (UDP) and, if on, TURN. Janus's client API is open to the
# network's private ranges only (the control plane and the ingress controller); its Admin API listens on loopback.
resource "google_compute_firewall" "media_rtp" {
  name          = "${var.name}-media-rtp"
  network       = var.network_name
  description   = "WebRTC media to Confer's media nodes"
  direction     = "INGRESS"
  source_ranges = ["0.0.0.0/0"]
  target_tags   = ["${var.name}-media"]
  allow {
    protocol = "udp"
    ports    = [var.rtp_port_range]
  }
}

resource "google_compute_firewall" "media_client_api" {
  name          = "${var.name}-media-client-api"
  network       = var.network_name
  description   = "Janus client API from the control plane and the ingress controller"
  direction     = "INGRESS"
  source_ranges = var.private_cidrs
  target_tags   = ["${var.name}-media"]
  allow {
    protocol = "tcp"
    ports    = [tostring(var.media_client_port)]
  }
}

resource "google_compute_firewall" "turn" {
  count         = var.turn.enabled ? 1 : 0
  name          = "${var.name}-turn"
  network       = var.network_name
  description   = "TURN (coturn) on Confer's media nodes"
  direction     = "INGRESS"
  source_ranges = ["0.0.0.0/0"]
  target_tags   = ["${var.name}-media"]
  allow {
    protocol = "udp"
    ports    = [tostring(var.turn.port), var.turn.relay_range]
  }
  allow {
    protocol = "tcp"
    ports    = [tostring(var.turn.port)]
  }
}
