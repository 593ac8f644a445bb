variable "name" {
  type        = string
  description = "Name prefix of every resource (e.g. confer-prod)."
}

variable "cidr" {
  type        = string
  description = "The VPC's address range."
  default     = "10.20.0.0/16"
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones to spread over (three for production)."
}

variable "single_nat_gateway" {
  type        = bool
  description = "One NAT gateway for all zones (cheaper) instead of one per zone (survives a zone outage)."
  default     = false
}
