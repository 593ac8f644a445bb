# Confer's own secrets, generated here so no person ever types or sees one. They are kept in Terraform's state:
# the state backend must be encrypted and access-controlled (docs/operations.md).

locals {
  keepers = { generation = var.rotation_generation }
}

resource "random_password" "database" {
  length  = 40
  special = false # it goes inside a URL
  keepers = local.keepers
}

resource "random_password" "redis" {
  length  = 48
  special = false
  keepers = local.keepers
}

# Janus: the Admin API secret (agent), the token-auth secret (Confer signs join tokens), the VideoRoom admin key
# (only the control plane creates rooms) and the password Janus's event handler posts with.
resource "random_password" "janus" {
  for_each = toset(["admin", "token", "room_admin", "events"])
  length   = 48
  special  = false # Janus's configuration refuses quotes and backslashes
  keepers  = local.keepers
}

resource "random_password" "turn" {
  length  = 48
  special = false
  keepers = local.keepers
}

resource "random_password" "metrics" {
  length  = 40
  special = false
  keepers = local.keepers
}

# Access tokens are signed with Ed25519 (PKCS#8 PEM); the key id lets a rotation keep old tokens valid.
resource "tls_private_key" "jwt" {
  algorithm = "ED25519"
}

resource "random_id" "jwt_kid" {
  byte_length = 4
  keepers     = { key = tls_private_key.jwt.public_key_pem }
}
