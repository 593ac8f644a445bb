output "vpc_id" {
  description = "The VPC's id."
  value       = module.vpc.vpc_id
}

output "cidr" {
  description = "The VPC's address range (the chart's networkPolicy.privateCidrs)."
  value       = module.vpc.vpc_cidr_block
}

output "private_subnet_ids" {
  description = "Subnets of the application nodes."
  value       = module.vpc.private_subnets
}

output "public_subnet_ids" {
  description = "Subnets of the media nodes."
  value       = module.vpc.public_subnets
}

output "database_subnet_group" {
  description = "Subnet group for RDS."
  value       = module.vpc.database_subnet_group_name
}

output "database_subnet_ids" {
  description = "Subnets for the managed data services (RDS, ElastiCache)."
  value       = module.vpc.database_subnets
}
