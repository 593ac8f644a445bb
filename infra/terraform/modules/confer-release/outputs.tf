output "namespace" {
  description = "Namespace Confer runs in."
  value       = kubernetes_namespace_v1.confer.metadata[0].name
}

output "release" {
  description = "Name and version of the Confer Helm release."
  value       = { name = helm_release.confer.name, version = helm_release.confer.version }
}
