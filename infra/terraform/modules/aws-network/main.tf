# Private subnets: application nodes, PostgreSQL and Redis. Public subnets: the media nodes (each with a public
# address: media is UDP straight to the node) and the load balancers.
locals {
  zones = length(var.availability_zones)
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.17.0" # exact: a module release can change defaults

  name                    = var.name
  cidr                    = var.cidr
  azs                     = var.availability_zones
  private_subnets         = [for i in range(local.zones) : cidrsubnet(var.cidr, 4, i)]
  public_subnets          = [for i in range(local.zones) : cidrsubnet(var.cidr, 4, i + 8)]
  database_subnets        = [for i in range(local.zones) : cidrsubnet(var.cidr, 8, i + 240)]
  map_public_ip_on_launch = true

  enable_nat_gateway     = true
  single_nat_gateway     = var.single_nat_gateway
  one_nat_gateway_per_az = !var.single_nat_gateway
  enable_dns_hostnames   = true

  create_database_subnet_group = true

  enable_flow_log                      = true
  create_flow_log_cloudwatch_log_group = true
  create_flow_log_cloudwatch_iam_role  = true
  flow_log_max_aggregation_interval    = 60

  public_subnet_tags  = { "kubernetes.io/role/elb" = "1" }
  private_subnet_tags = { "kubernetes.io/role/internal-elb" = "1" }
}
