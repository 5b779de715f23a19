# The press kit of the folder recipe moves into a new "Press" collection inside "Brand".
# Pointing its uploads at the new collection moves them in place: same IDs, same URLs, and
# the records that link to them keep working.
#
# Keep the old collection's resource for this apply. Terraform does not wait for the
# uploads to leave a collection before deleting it, and the provider only deletes empty
# collections: once the uploads have moved, delete the block below and apply again.
resource "datocms_upload_collection" "press_kit" {
  label = "Press kit"
}

resource "datocms_upload_collection" "brand" {
  label = "Brand"
}

resource "datocms_upload_collection" "press" {
  label     = "Press"
  parent_id = datocms_upload_collection.brand.id
}

resource "datocms_upload" "press_kit" {
  for_each = fileset("${path.module}/press-kit", "**/*.{png,jpg,svg,pdf}")

  source               = "${path.module}/press-kit/${each.value}"
  upload_collection_id = datocms_upload_collection.press.id # was datocms_upload_collection.press_kit.id
  tags                 = ["press-kit"]
}
