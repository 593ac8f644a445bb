variable "namespace" {
  type        = string
  description = "Kubernetes namespace for Confer."
  default     = "confer"
}

variable "chart_path" {
  type        = string
  description = "Path to the Confer Helm chart (infra/helm/confer in this repository)."
}

variable "values" {
  type        = any
  description = "Chart values (a map, checked by the chart's values.schema.json); secrets are wired by this module."
}

variable "secret_data" {
  type        = map(string)
  description = "Keys of the Kubernetes Secret the chart reads by reference (database-url, redis-url, jwt-signing-key, ...)."
  sensitive   = true
}

variable "secret_name" {
  type        = string
  description = "Name of that Kubernetes Secret (the chart's secrets.*.existingSecret)."
  default     = "confer"
}

variable "ingress_nginx_version" {
  type        = string
  description = "Version of the ingress-nginx chart installed in front of Confer; null to bring your own controller."
  default     = "4.11.3"
}
