output "state_bucket" {
  description = "Bucket for the environments' state: the `bucket` of backend.hcl."
  value       = module.state_bucket.name
}

output "state_kms_key_arn" {
  description = "Key encrypting the state: the `kms_key_id` of backend.hcl."
  value       = module.kms.key_arn
}

output "region" {
  description = "The `region` of backend.hcl."
  value       = var.region
}
