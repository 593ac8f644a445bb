# One customer-managed key for what Confer stores at rest in AWS (database, Redis, bucket, secrets). Its policy is
# the default one: the account administers it and IAM decides who may use it.
resource "aws_kms_key" "confer" {
  description             = "${var.name}: Confer data at rest"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}

resource "aws_kms_alias" "confer" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.confer.key_id
}
