module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "20.31.6" # exact: a module release can change node and IAM defaults

  cluster_name    = var.name
  cluster_version = var.kubernetes_version

  vpc_id                   = var.vpc_id
  subnet_ids               = var.private_subnet_ids
  control_plane_subnet_ids = var.private_subnet_ids

  cluster_endpoint_public_access       = true
  cluster_endpoint_private_access      = true
  cluster_endpoint_public_access_cidrs = var.api_allowed_cidrs

  enable_cluster_creator_admin_permissions = true

  cluster_addons = {
    coredns                = {}
    kube-proxy             = {}
    eks-pod-identity-agent = {}
    # The VPC CNI enforces the chart's NetworkPolicies.
    vpc-cni = {
      before_compute       = true
      configuration_values = jsonencode({ enableNetworkPolicy = "true" })
    }
  }

  eks_managed_node_groups = {
    app = {
      instance_types = var.app_nodes.instance_types
      min_size       = var.app_nodes.min_size
      max_size       = var.app_nodes.max_size
      desired_size   = var.app_nodes.desired_size
      subnet_ids     = var.private_subnet_ids
      labels         = { "confer.io/pool" = "app" }
    }
    # Public subnets: every media node gets a public address (Janus announces it; the chart reads it from the Node).
    # Tainted so that only media pods (which tolerate it) land here.
    media = {
      instance_types         = var.media_nodes.instance_types
      min_size               = var.media_nodes.min_size
      max_size               = var.media_nodes.max_size
      desired_size           = var.media_nodes.desired_size
      subnet_ids             = var.public_subnet_ids
      vpc_security_group_ids = [aws_security_group.media.id]
      labels                 = { "confer.io/pool" = "media" }
      taints = {
        media = { key = "confer.io/media", value = "true", effect = "NO_SCHEDULE" }
      }
    }
  }
}
