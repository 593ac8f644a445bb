variable "project" {
  type        = string
  description = "GCP project id to deploy into."
}

variable "region" {
  type        = string
  description = "GCP region to deploy to (e.g. europe-west1). No default: choose it on purpose."
}

variable "name" {
  type        = string
  description = "Name of this deployment, prefix of every resource (e.g. confer-prod)."
  default     = "confer"
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
  type        = object({ machine_type = string, min_per_zone = number, max_per_zone = number })
  description = "The application node pool, per zone."
  default     = { machine_type = "e2-standard-4", min_per_zone = 1, max_per_zone = 3 }
}

variable "media_nodes" {
  type        = object({ machine_type = string, min_per_zone = number, max_per_zone = number })
  description = "The media node pool, per zone (one Janus each)."
  default     = { machine_type = "c2d-standard-4", min_per_zone = 1, max_per_zone = 4 }
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
    tier                  = string
    disk_size_gb          = number
    backup_retention_days = number
    high_availability     = bool
  })
  description = "The Cloud SQL PostgreSQL instance (POSTGRES_15 or later)."
  default = {
    version               = "POSTGRES_17"
    tier                  = "db-custom-2-7680"
    disk_size_gb          = 50
    backup_retention_days = 14
    high_availability     = true
  }
}

variable "redis" {
  type        = object({ version = string, memory_size_gb = number })
  description = "The Memorystore Redis instance (Standard tier)."
  default     = { version = "REDIS_7_2", memory_size_gb = 2 }
}
