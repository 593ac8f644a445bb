module "network" {
  source = "../modules/gcp-network"
  name   = var.name
  region = var.region
}

module "cluster" {
  source            = "../modules/gcp-cluster"
  name              = var.name
  project           = var.project
  region            = var.region
  network_id        = module.network.network_id
  network_name      = module.network.network_name
  subnetwork_id     = module.network.subnetwork_id
  private_cidrs     = module.network.private_cidrs
  api_allowed_cidrs = var.api_allowed_cidrs
  app_nodes         = var.app_nodes
  media_nodes       = var.media_nodes
  turn              = { enabled = var.turn_enabled, port = 3478, relay_range = "49152-65535" }
}

module "secrets" {
  source              = "../modules/confer-secrets"
  rotation_generation = var.secrets_generation
}

module "data" {
  source            = "../modules/gcp-data"
  name              = var.name
  region            = var.region
  network_id        = module.network.network_id
  database_password = module.secrets.database_password
  postgres          = var.postgres
  redis             = var.redis
  # Cloud SQL and Memorystore need the private services peering in place first.
  depends_on = [module.network]
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
    networkPolicy = { privateCidrs = module.network.private_cidrs }
  }
}
