# Credentials come from the environment (gcloud auth application-default login, or the CI's workload identity),
# never from this code.
provider "google" {
  project = var.project
  region  = var.region
  default_labels = {
    application = "confer"
    environment = var.name
  }
}

data "google_client_config" "current" {}

provider "kubernetes" {
  host                   = module.cluster.endpoint
  cluster_ca_certificate = base64decode(module.cluster.ca_certificate)
  token                  = data.google_client_config.current.access_token
}

provider "helm" {
  kubernetes {
    host                   = module.cluster.endpoint
    cluster_ca_certificate = base64decode(module.cluster.ca_certificate)
    token                  = data.google_client_config.current.access_token
  }
}
