variable "rotation_generation" {
  type        = number
  description = "Bump to replace every generated secret at once (see docs/operations.md, Rotate secrets); to rotate one, use terraform apply -replace on it."
  default     = 1
}
