module "network" {
  source             = "../modules/aws-network"
  name               = var.name
  cidr               = var.vpc_cidr
  availability_zones = var.availability_zones
}

module "cluster" {
  source             = "../modules/aws-cluster"
  name               = var.name
  vpc_id             = module.network.vpc_id
  vpc_cidr           = module.network.cidr
  private_subnet_ids = module.network.private_subnet_ids
  public_subnet_ids  = module.network.public_subnet_ids
  api_allowed_cidrs  = var.api_allowed_cidrs
  app_nodes          = var.app_nodes
  media_nodes        = var.media_nodes
  turn               = { enabled = var.turn_enabled, port = 3478, relay_from = 49152, relay_to = 65535 }
}

module "secrets" {
  source              = "../modules/confer-secrets"
  rotation_generation = var.secrets_generation
}

module "data" {
  source                   = "../modules/aws-data"
  name                     = var.name
  vpc_id                   = module.network.vpc_id
  database_subnet_group    = module.network.database_subnet_group
  subnet_ids               = module.network.database_subnet_ids
  client_security_group_id = module.cluster.node_security_group_id
  database_password        = module.secrets.database_password
  redis_auth_token         = module.secrets.redis_password
  postgres                 = var.postgres
  redis                    = var.redis
}

locals {
  secret_data = merge(
    module.secrets.app_secrets,
    {
      "database-url" = module.data.database_url
      "redis-url"    = module.data.redis_url
    },
    var.smtp_url == null ? {} : { "smtp-url" = var.smtp_url },
    var.stripe == null ? {} : {
      "stripe-secret-key"      = var.stripe.secret_key
      "stripe-webhook-secret"  = var.stripe.webhook_secret
      "stripe-publishable-key" = var.stripe.publishable_key
    },
  )
}

module "release" {
  source      = "../modules/confer-release"
  chart_path  = "${path.module}/../../helm/confer"
  secret_data = local.secret_data
  values = {
    image = merge(var.image, { pullPolicy = "IfNotPresent" })
    config = {
      publicUrl   = "https://${var.domain}"
      videoRegion = var.region
    }
    extraEnv = [{ name = "CONFER_JWT_SIGNING_KID", value = module.secrets.jwt_signing_kid }]
    secrets = {
      database = { existingSecret = "confer" }
      redis    = { existingSecret = "confer" }
      jwt      = { existingSecret = "confer" }
      janus    = { existingSecret = "confer" }
      metrics  = { existingSecret = "confer" }
      turn     = { existingSecret = var.turn_enabled ? "confer" : "" }
      mail     = { existingSecret = var.smtp_url == null ? "" : "confer" }
      stripe   = { existingSecret = var.stripe == null ? "" : "confer" }
    }
    api           = { nodeSelector = { "confer.io/pool" = "app" } }
    worker        = { nodeSelector = { "confer.io/pool" = "app" } }
    media         = { replicas = var.media_replicas, region = var.region, image = merge(var.media_image, { pullPolicy = "IfNotPresent" }) }
    turn          = { enabled = var.turn_enabled, host = var.turn_host }
    ingress       = { host = var.domain }
    networkPolicy = { privateCidrs = [module.network.cidr] }
  }
}
