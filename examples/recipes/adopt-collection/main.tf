# Bring every upload of an existing collection under Terraform, without uploading anything
# again: the files are in ./legacy, named as DatoCMS names them (the upload's filename).
# for_each on import blocks needs Terraform 1.7 or later.
terraform {
  required_version = ">= 1.7.0"
}

data "datocms_upload_collection" "legacy" {
  label = "Legacy"
}

data "datocms_uploads" "legacy" {
  upload_collection_id = data.datocms_upload_collection.legacy.id
}

locals {
  files = fileset("${path.module}/legacy", "*")
  # The collection's uploads that have a local file, by file name. Two uploads with the
  # same name would stop the plan with "Duplicate object key": rename one first.
  existing = {
    for u in data.datocms_uploads.legacy.uploads : u.filename => u
    if contains(local.files, u.filename)
  }
}

# Adopt each existing upload: the plan shows it being imported, not created.
import {
  for_each = local.existing
  to       = datocms_upload.legacy[each.key]
  id       = each.value.id
}

resource "datocms_upload" "legacy" {
  for_each = local.files

  source               = "${path.module}/legacy/${each.key}"
  upload_collection_id = data.datocms_upload_collection.legacy.id

  # Start from what each upload holds today, so that adopting it changes nothing. Once
  # adopted, write the values you want here instead: as long as they come from the data
  # source, an edit made in the Media Area becomes the desired value and never shows as drift.
  author                 = try(local.existing[each.key].author, null)
  copyright              = try(local.existing[each.key].copyright, null)
  notes                  = try(local.existing[each.key].notes, null)
  tags                   = try(local.existing[each.key].tags, [])
  default_field_metadata = try(local.existing[each.key].default_field_metadata, null)
}
