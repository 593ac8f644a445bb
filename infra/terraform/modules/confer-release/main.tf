resource "kubernetes_namespace_v1" "confer" {
  metadata {
    name = var.namespace
  }
}

# The one Secret the chart reads by reference. Its content also lives in the cloud's secret manager (the root
# configuration writes both from the same values), which is where operators read it.
resource "kubernetes_secret_v1" "confer" {
  metadata {
    name      = var.secret_name
    namespace = kubernetes_namespace_v1.confer.metadata[0].name
  }
  data = var.secret_data
}

resource "helm_release" "ingress_nginx" {
  count            = var.ingress_nginx_version == null ? 0 : 1
  name             = "ingress-nginx"
  namespace        = "ingress-nginx"
  create_namespace = true
  repository       = "https://kubernetes.github.io/ingress-nginx"
  chart            = "ingress-nginx"
  version          = var.ingress_nginx_version
  values = [yamlencode({
    controller = {
      replicaCount = 2
      # Keep the client's address (rate limits, logs) and give WebSockets their time.
      service = { externalTrafficPolicy = "Local" }
      config  = { "proxy-read-timeout" = "3600", "proxy-send-timeout" = "3600" }
    }
  })]
}

resource "helm_release" "confer" {
  name      = "confer"
  namespace = kubernetes_namespace_v1.confer.metadata[0].name
  chart     = var.chart_path
  # The pre-upgrade migrations Job runs first; give it time to finish before Helm gives up.
  timeout = 1200
  wait    = true
  values = [yamlencode(merge(var.values, {
    api = merge(try(var.values.api, {}), {
      # A new secret version rolls the application pods (media nodes are rotated by hand: see docs/operations.md).
      podAnnotations = { "confer.io/secret-version" = sha256(jsonencode(var.secret_data)) }
    })
    worker = merge(try(var.values.worker, {}), {
      podAnnotations = { "confer.io/secret-version" = sha256(jsonencode(var.secret_data)) }
    })
  }))]
  depends_on = [kubernetes_secret_v1.confer, helm_release.ingress_nginx]
}
