# The press kit of the folder recipe moves into a new "Press" collection inside "Brand", and
# the old "Press kit" collection goes, in one apply. Pointing the uploads at the new
# collection moves them in place: same IDs, same URLs, and the records that link to them keep
# working. The old collection's block is simply removed: it was created with
# create_before_destroy (see the folder recipe), so Terraform moves the uploads first and
# deletes the emptied collection last.
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

resource "datocms_upload_collection" "brand" {
  label = "Brand"
}

resource "datocms_upload_collection" "press" {
  label     = "Press"
  parent_id = datocms_upload_collection.brand.id

  lifecycle {
    create_before_destroy = true
  }
}

resource "datocms_upload" "press_kit" {
  for_each = fileset("${path.module}/press-kit", "**/*.{png,jpg,svg,pdf}")

  source               = "${path.module}/press-kit/${each.value}"
  upload_collection_id = datocms_upload_collection.press.id # was datocms_upload_collection.press_kit.id
  tags                 = ["press-kit"]
}
