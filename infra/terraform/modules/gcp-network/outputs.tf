output "network_id" {
  description = "The VPC network's id."
  value       = google_compute_network.confer.id
}

output "network_name" {
  description = "The VPC network's name."
  value       = google_compute_network.confer.name
}

output "subnetwork_id" {
  description = "The nodes' subnet."
  value       = google_compute_subnetwork.nodes.id
}

output "private_cidrs" {
  description = "Every private range Confer's pods talk to (the chart's networkPolicy.privateCidrs)."
  value = [
    var.cidr.nodes, var.cidr.pods, var.cidr.services,
    "${google_compute_global_address.services.address}/${google_compute_global_address.services.prefix_length}",
  ]
}
