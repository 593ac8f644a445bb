variable "name" {
  type        = string
  description = "Cluster name (e.g. confer-prod)."
}

variable "kubernetes_version" {
  type        = string
  description = "EKS Kubernetes version."
  default     = "1.30"
}

variable "vpc_id" {
  type        = string
  description = "VPC of the cluster."
}

variable "vpc_cidr" {
  type        = string
  description = "The VPC's address range (the media nodes' client API is open to it only)."
}

variable "private_subnet_ids" {
  type        = list(string)
  description = "Subnets of the control plane's network interfaces and the application nodes."
}

variable "public_subnet_ids" {
  type        = list(string)
  description = "Subnets of the media nodes (public addresses)."
}

variable "api_allowed_cidrs" {
  type        = list(string)
  description = "Addresses allowed to reach the Kubernetes API endpoint (your office or CI); the nodes use the private endpoint."
}

variable "app_nodes" {
  type = object({
    instance_types = list(string)
    min_size       = number
    max_size       = number
    desired_size   = number
  })
  description = "The application node pool (api, worker, ingress)."
  default     = { instance_types = ["m6i.large"], min_size = 2, max_size = 6, desired_size = 3 }
}

variable "media_nodes" {
  type = object({
    instance_types = list(string)
    min_size       = number
    max_size       = number
    desired_size   = number
  })
  description = "The media node pool: one Janus per node, scaled apart from the application (chart value media.replicas)."
  default     = { instance_types = ["c6i.xlarge"], min_size = 2, max_size = 10, desired_size = 2 }
}

variable "media_client_port" {
  type        = number
  description = "Janus's client API port on media nodes (the chart's media.clientPort)."
  default     = 8188
}

variable "rtp_port_range" {
  type        = object({ from = number, to = number })
  description = "UDP ports of media on the media nodes (the chart's media.rtpPortRange)."
  default     = { from = 20000, to = 40000 }
}

variable "turn" {
  type        = object({ enabled = bool, port = number, relay_from = number, relay_to = number })
  description = "Open the TURN ports on the media nodes (the chart's turn.*)."
  default     = { enabled = false, port = 3478, relay_from = 49152, relay_to = 65535 }
}
