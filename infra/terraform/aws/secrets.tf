# The same secrets the cluster reads, kept in Secrets Manager: the place operators read them from, and their
# history (each change is a new version). Rotation is Terraform's (docs/operations.md), not Secrets Manager's.
resource "aws_secretsmanager_secret" "confer" {
  name_prefix             = "${var.name}/app-"
  description             = "Confer ${var.name}: the keys of the Kubernetes Secret 'confer'"
  kms_key_id              = module.data.kms_key_arn
  recovery_window_in_days = 30
}

resource "aws_secretsmanager_secret_version" "confer" {
  secret_id     = aws_secretsmanager_secret.confer.id
  secret_string = jsonencode(local.secret_data)
}
