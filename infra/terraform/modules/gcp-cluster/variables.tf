variable "name" {
  type        = string
  description = "Cluster name (e.g. confer-prod)."
}

variable "project" {
  type        = string
  description = "GCP project id."
}

variable "region" {
  type        = string
  description = "Region of the (regional) cluster."
}

variable "network_id" {
  type        = string
  description = "VPC network of the cluster."
}

variable "network_name" {
  type        = string
  description = "VPC network name (for the media firewall rules)."
}

variable "subnetwork_id" {
  type        = string
  description = "Subnet of the nodes (with secondary ranges 'pods' and 'services')."
}

variable "master_cidr" {
  type        = string
  description = "A /28 for the control plane's private endpoint."
  default     = "172.16.0.0/28"
}

variable "api_allowed_cidrs" {
  type        = list(string)
  description = "Addresses allowed to reach the Kubernetes API (your office, VPN or CI)."
}

variable "release_channel" {
  type        = string
  description = "GKE release channel (REGULAR or STABLE)."
  default     = "REGULAR"
}

variable "app_nodes" {
  type        = object({ machine_type = string, min_per_zone = number, max_per_zone = number })
  description = "The application node pool (api, worker, ingress), per zone of the region."
  default     = { machine_type = "e2-standard-4", min_per_zone = 1, max_per_zone = 3 }
}

variable "media_nodes" {
  type        = object({ machine_type = string, min_per_zone = number, max_per_zone = number })
  description = "The media node pool, per zone: one Janus each, scaled apart from the application."
  default     = { machine_type = "c2d-standard-4", min_per_zone = 1, max_per_zone = 4 }
}

variable "media_client_port" {
  type        = number
  description = "Janus's client API port (the chart's media.clientPort)."
  default     = 8188
}

variable "rtp_port_range" {
  type        = string
  description = "UDP ports of media on the media nodes (the chart's media.rtpPortRange)."
  default     = "20000-40000"
}

variable "turn" {
  type        = object({ enabled = bool, port = number, relay_range = string })
  description = "Open the TURN ports on the media nodes (the chart's turn.*)."
  default     = { enabled = false, port = 3478, relay_range = "49152-65535" }
}

variable "private_cidrs" {
  type        = list(string)
  description = "The network's private ranges (Janus's client API is open to them only)."
}
