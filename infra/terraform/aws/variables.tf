variable "region" {
  type        = string
  description = "AWS region to deploy to (e.g. eu-west-1). No default: choose it on purpose."
}

variable "name" {
  type        = string
  description = "Name of this deployment, prefix of every resource (e.g. confer-prod)."
  default     = "confer"
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones of the region to use (e.g. [\"eu-west-1a\", \"eu-west-1b\", \"eu-west-1c\"])."
}

variable "vpc_cidr" {
  type        = string
  description = "The VPC's address range."
  default     = "10.20.0.0/16"
}

variable "api_allowed_cidrs" {
  type        = list(string)
  description = "Addresses allowed to reach the Kubernetes API (your office, VPN or CI)."
}

variable "domain" {
  type        = string
  description = "Host name Confer is served at (a DNS record to the ingress load balancer), e.g. confer.example.org."
}

variable "image" {
  type        = object({ repository = string, tag = string, digest = string })
  description = "The platform image (api, worker, migrations, media agent). Prefer a digest."
}

variable "media_image" {
  type        = object({ repository = string, tag = string, digest = string })
  description = "The media node image (Janus)."
}

variable "media_replicas" {
  type        = number
  description = "Media nodes to run (at most the media pool's size; see docs/operations.md to scale)."
  default     = 2
}

variable "app_nodes" {
  type        = object({ instance_types = list(string), min_size = number, max_size = number, desired_size = number })
  description = "The application node pool."
  default     = { instance_types = ["m6i.large"], min_size = 2, max_size = 6, desired_size = 3 }
}

variable "media_nodes" {
  type        = object({ instance_types = list(string), min_size = number, max_size = number, desired_size = number })
  description = "The media node pool (one Janus each)."
  default     = { instance_types = ["c6i.xlarge"], min_size = 2, max_size = 10, desired_size = 2 }
}

variable "turn_enabled" {
  type        = bool
  description = "Run coturn on the media nodes for clients behind restrictive firewalls (needs a DNS record turn_host)."
  default     = false
}

variable "turn_host" {
  type        = string
  description = "Public host name of the TURN service (when turn_enabled)."
  default     = ""
}

variable "stripe" {
  type        = object({ secret_key = string, webhook_secret = string, publishable_key = string })
  description = "Stripe keys; null leaves payments off. Pass them through TF_VAR_stripe, never in a file."
  default     = null
  sensitive   = true
}

variable "smtp_url" {
  type        = string
  description = "The organisation's SMTP relay (smtp://user:password@host:587); null prints mail to the log."
  default     = null
  sensitive   = true
}

variable "secrets_generation" {
  type        = number
  description = "Bump to rotate every generated secret at once (docs/operations.md, Rotate secrets)."
  default     = 1
}

variable "postgres" {
  type = object({
    version               = string
    instance_class        = string
    allocated_storage_gb  = number
    max_storage_gb        = number
    backup_retention_days = number
    multi_az              = bool
  })
  description = "The RDS PostgreSQL instance (version 15 or later)."
  default = {
    version               = "17"
    instance_class        = "db.m6g.large"
    allocated_storage_gb  = 50
    max_storage_gb        = 500
    backup_retention_days = 14
    multi_az              = true
  }
}

variable "redis" {
  type        = object({ version = string, node_type = string, replicas = number })
  description = "The ElastiCache Redis replication group (replicas besides the primary; at least one)."
  default     = { version = "7.1", node_type = "cache.m6g.large", replicas = 1 }
}
