resource "aws_security_group" "redis" {
  name        = "${var.name}-redis"
  description = "Confer Redis: from the Kubernetes nodes only"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "redis" {
  security_group_id            = aws_security_group.redis.id
  description                  = "Redis from the Kubernetes nodes"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = var.client_security_group_id
}

resource "aws_elasticache_subnet_group" "confer" {
  name       = var.name
  subnet_ids = var.subnet_ids
}

# TLS in transit (the URL is rediss://, verified against the system's CAs) and AUTH; a replica in another zone
# takes over automatically.
resource "aws_elasticache_replication_group" "confer" {
  replication_group_id = var.name
  description          = "Confer: jobs, real-time fan-out, media node registry, rate limits"
  engine               = "redis"
  engine_version       = var.redis.version
  node_type            = var.redis.node_type
  port                 = 6379

  num_cache_clusters         = 1 + var.redis.replicas
  automatic_failover_enabled = true
  multi_az_enabled           = true

  subnet_group_name  = aws_elasticache_subnet_group.confer.name
  security_group_ids = [aws_security_group.redis.id]

  transit_encryption_enabled = true
  at_rest_encryption_enabled = true
  kms_key_id                 = aws_kms_key.confer.arn
  auth_token                 = var.redis_auth_token

  snapshot_retention_limit   = 7
  auto_minor_version_upgrade = true
  apply_immediately          = false
}
