# Credentials come from the environment (AWS_PROFILE, SSO, or the CI's role), never from this code.
provider "aws" {
  region = var.region
  default_tags {
    tags = { Application = "confer", Environment = var.name }
  }
}

# Kubernetes and Helm talk to the new cluster with a short-lived token from the AWS CLI.
locals {
  cluster_auth = {
    host                   = module.cluster.endpoint
    cluster_ca_certificate = base64decode(module.cluster.ca_certificate)
    exec = {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "aws"
      args        = ["eks", "get-token", "--cluster-name", module.cluster.cluster_name, "--region", var.region]
    }
  }
}

provider "kubernetes" {
  host                   = local.cluster_auth.host
  cluster_ca_certificate = local.cluster_auth.cluster_ca_certificate
  exec {
    api_version = local.cluster_auth.exec.api_version
    command     = local.cluster_auth.exec.command
    args        = local.cluster_auth.exec.args
  }
}

provider "helm" {
  kubernetes {
    host                   = local.cluster_auth.host
    cluster_ca_certificate = local.cluster_auth.cluster_ca_certificate
    exec {
      api_version = local.cluster_auth.exec.api_version
      command     = local.cluster_auth.exec.command
      args        = local.cluster_auth.exec.args
    }
  }
}
