# What the internet may send to a media node: media (UDP) and, if on, TURN. Janus's client API is open to the VPC
# only (the control plane and the ingress controller); its Admin API listens on the node's loopback.
resource "aws_security_group" "media" {
  name        = "${var.name}-media"
  description = "Confer media nodes: WebRTC media from anywhere, Janus client API from the VPC"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "media_rtp" {
  security_group_id = aws_security_group.media.id
  description       = "WebRTC media (Janus RTP/RTCP)"
  ip_protocol       = "udp"
  from_port         = var.rtp_port_range.from
  to_port           = var.rtp_port_range.to
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "media_client_api" {
  security_group_id = aws_security_group.media.id
  description       = "Janus client API from the control plane and the ingress controller"
  ip_protocol       = "tcp"
  from_port         = var.media_client_port
  to_port           = var.media_client_port
  cidr_ipv4         = var.vpc_cidr
}

resource "aws_vpc_security_group_ingress_rule" "turn" {
  for_each = var.turn.enabled ? {
    udp   = { protocol = "udp", from = var.turn.port, to = var.turn.port }
    tcp   = { protocol = "tcp", from = var.turn.port, to = var.turn.port }
    relay = { protocol = "udp", from = var.turn.relay_from, to = var.turn.relay_to }
  } : {}
  security_group_id = aws_security_group.media.id
  description       = "TURN (coturn) ${each.key}"
  ip_protocol       = each.value.protocol
  from_port         = each.value.from
  to_port           = each.value.to
  cidr_ipv4         = "0.0.0.0/0"
}
