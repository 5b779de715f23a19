# Every file of a local folder becomes an upload in a collection that Terraform manages.
# Adding a file to the folder adds an upload, editing one replaces its file in place (same
# ID, same records), deleting one deletes the upload.
terraform {
  required_providers {
    datocms = {
      source  = "assetform/datocms"
      version = "~> 0.1"
    }
  }
}

# No provider block: the provider reads DATOCMS_API_TOKEN from the environment (and
# DATOCMS_ENVIRONMENT and DATOCMS_BASE_URL, when set), so no token is ever in the code.

resource "datocms_upload_collection" "press_kit" {
  label = "Press kit"

  # If this collection is ever removed while its uploads move elsewhere in the same apply,
  # Terraform then moves the uploads first and deletes the emptied collection last. (Without
  # it, Terraform deletes a removed resource before it updates what depended on it, and the
  # provider refuses to delete a collection that still holds uploads.)
  lifecycle {
    create_before_destroy = true
  }
}

resource "datocms_upload" "press_kit" {
  # Keyed by the path inside the folder, such as "logos/acme.svg".
  for_each = fileset("${path.module}/press-kit", "**/*.{png,jpg,svg,pdf}")

  source               = "${path.module}/press-kit/${each.value}"
  upload_collection_id = datocms_upload_collection.press_kit.id
  tags                 = ["press-kit"]
}

output "press_kit_urls" {
  value = { for path, upload in datocms_upload.press_kit : path => upload.url }
}
