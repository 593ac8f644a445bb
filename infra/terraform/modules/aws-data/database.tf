resource "aws_security_group" "database" {
  name        = "${var.name}-postgres"
  description = "Confer PostgreSQL: from the Kubernetes nodes only"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "database" {
  security_group_id            = aws_security_group.database.id
  description                  = "PostgreSQL from the Kubernetes nodes"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = var.client_security_group_id
}

# TLS only, and connections logged. No statement text in the logs (it can hold personal data): Performance
# Insights shows the slow queries.
resource "aws_db_parameter_group" "confer" {
  name   = "${var.name}-postgres${var.postgres.version}"
  family = "postgres${var.postgres.version}"
  # A major upgrade brings a new family: the new group must exist before the instance moves to it.
  lifecycle {
    create_before_destroy = true
  }
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }
  parameter {
    name  = "log_connections"
    value = "1"
  }
  parameter {
    name  = "log_disconnections"
    value = "1"
  }
}

resource "aws_db_instance" "confer" {
  identifier     = var.name
  engine         = "postgres"
  engine_version = var.postgres.version
  instance_class = var.postgres.instance_class

  db_name  = "confer"
  username = "confer"
  password = var.database_password

  allocated_storage     = var.postgres.allocated_storage_gb
  max_allocated_storage = var.postgres.max_storage_gb
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = aws_kms_key.confer.arn

  db_subnet_group_name   = var.database_subnet_group
  vpc_security_group_ids = [aws_security_group.database.id]
  publicly_accessible    = false
  multi_az               = var.postgres.multi_az
  parameter_group_name   = aws_db_parameter_group.confer.name

  # Daily snapshots kept backup_retention_days, plus point-in-time recovery within that window.
  backup_retention_period   = var.postgres.backup_retention_days
  backup_window             = "02:00-03:00"
  maintenance_window        = "sun:03:30-sun:04:30"
  copy_tags_to_snapshot     = true
  deletion_protection       = true
  skip_final_snapshot       = false
  final_snapshot_identifier = "${var.name}-final"

  auto_minor_version_upgrade          = true
  allow_major_version_upgrade         = true
  iam_database_authentication_enabled = true
  enabled_cloudwatch_logs_exports     = ["postgresql", "upgrade"]
  performance_insights_enabled        = true
  performance_insights_kms_key_id     = aws_kms_key.confer.arn
  monitoring_interval                 = 60
  monitoring_role_arn                 = aws_iam_role.rds_monitoring.arn
}

resource "aws_iam_role" "rds_monitoring" {
  name = "${var.name}-rds-monitoring"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "monitoring.rds.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "rds_monitoring" {
  role       = aws_iam_role.rds_monitoring.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}
