# Bring every upload of an existing collection under Terraform, without uploading anything
# again: the files are in ./legacy, named as DatoCMS names them (the upload's filename).
#
# Adopt first, change second, so that every plan shows what it replaces:
#
# 1. Apply this file as it is. Each existing upload is imported, and its arguments start from
#    what DatoCMS holds: the plan shows the imports and no change but `source` (the local
#    path, which DatoCMS does not know), and the apply writes nothing to them.
# 2. Then set the values you want in local.changes below. The uploads are in the state now,
#    so the plan shows each change as an update from the old value to the new one:
#      ~ author = "Jane Doe" -> "ACME Photo Desk"
#    Setting them in the first change would hide that: a resource created over an upload
#    that already exists (a datocms_upload_metadata without an import block, say) plans as a
#    create, which shows the new values only, never the ones they overwrite.
#
# for_each on import blocks needs Terraform 1.7 or later.
terraform {
  required_version = ">= 1.7.0"
  required_providers {
    datocms = {
      source  = "assetform/datocms"
      version = "~> 0.1"
    }
  }
}

# No provider block: the provider reads DATOCMS_API_TOKEN from the environment (and
# DATOCMS_ENVIRONMENT and DATOCMS_BASE_URL, when set), so no token is ever in the code.

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

  # Step 2: the values you want, by file name. Empty in step 1, so that adopting changes
  # nothing.
  changes = {
    # "fox.png" = { author = "ACME Photo Desk" }
  }
}

# Adopt each existing upload: the plan shows it being imported, not created. Once the
# uploads are in the state, these blocks do nothing and can be removed.
import {
  for_each = local.existing
  to       = datocms_upload.legacy[each.key]
  id       = each.value.id
}

resource "datocms_upload" "legacy" {
  for_each = local.files

  source               = "${path.module}/legacy/${each.key}"
  upload_collection_id = data.datocms_upload_collection.legacy.id

  # A value in local.changes, else what the upload holds today. Values taken from the data
  # source follow the Media Area: an edit made there becomes the desired value and never
  # shows as drift. Put a value in local.changes to hold it.
  author                 = try(local.changes[each.key].author, local.existing[each.key].author, null)
  copyright              = try(local.changes[each.key].copyright, local.existing[each.key].copyright, null)
  notes                  = try(local.changes[each.key].notes, local.existing[each.key].notes, null)
  tags                   = try(local.changes[each.key].tags, local.existing[each.key].tags, [])
  default_field_metadata = try(local.changes[each.key].default_field_metadata, local.existing[each.key].default_field_metadata, null)
}
