variable "name" {
  type        = string
  description = "Name prefix of every resource (e.g. confer-prod)."
}

variable "region" {
  type        = string
  description = "Region of the subnet, router and NAT."
}

variable "cidr" {
  type        = object({ nodes = string, pods = string, services = string })
  description = "Address ranges: the nodes' subnet and the pods' and services' secondary ranges."
  default     = { nodes = "10.30.0.0/20", pods = "10.32.0.0/14", services = "10.36.0.0/20" }
}
