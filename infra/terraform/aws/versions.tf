terraform {
  required_version = ">= 1.6.0, < 2.0.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
    helm = {
      source  = "hashicorp/helm"
      version = "~> 2.17"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 2.35"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
    tls = {
      source  = "hashicorp/tls"
      version = "~> 4.0"
    }
  }
  # State holds generated secrets: keep it in an encrypted, access-controlled backend, e.g.
  #   terraform init -backend-config="bucket=..." -backend-config="key=confer/terraform.tfstate" \
  #     -backend-config="region=..." -backend-config="encrypt=true" -backend-config="use_lockfile=true"
  backend "s3" {}
}
