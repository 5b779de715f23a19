# Enforce alt text on every image of a collection, for uploads that already exist and whose
# files no repository holds. Each image gets a datocms_upload_metadata that manages its
# default metadata only: author, tags and the rest stay as the Media Area has them. An alt
# text edited in the UI shows as drift in the next plan, and the apply puts it back.
#
# The first plan creates these resources, so it shows the alt texts it sets but not the ones
# they replace. To review those first, adopt the uploads with import blocks and a
# configuration that matches what DatoCMS holds, then change the values in a second plan, as
# the adopt-collection recipe does.
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

data "datocms_upload_collection" "products" {
  label = "Products"
}

data "datocms_uploads" "product_images" {
  upload_collection_id = data.datocms_upload_collection.products.id
  type                 = "image"
  order_by             = "_created_at_ASC" # oldest first: see the keys below
}

locals {
  # Alt texts written by hand, by file name; the others get one derived from the name.
  alt_texts = {
    "blue-chair.jpg" = "Blue lounge chair with oak legs"
  }

  # Each image is keyed by its file name, so that a plan names an asset people recognise:
  # datocms_upload_metadata.product_alt["blue-chair.jpg"]. DatoCMS does not keep file names
  # unique, and a plain `u.filename => u` would stop every plan with "Duplicate object key"
  # as soon as someone uploads a second blue-chair.jpg. So the oldest image of a name keeps
  # the plain name and later ones add their upload ID ("blue-chair.jpg~<id>"): an upload
  # added later never changes the key of one that is already managed. A rename in the Media
  # Area does change the key: the plan then destroys the old address (which leaves the
  # upload and its metadata as they are) and creates the new one.
  images          = data.datocms_uploads.product_images.uploads
  ids_by_filename = { for u in local.images : u.filename => u.id... }
  images_by_key = {
    for u in local.images :
    (u.id == local.ids_by_filename[u.filename][0] ? u.filename : "${u.filename}~${u.id}") => u
  }
}

resource "datocms_upload_metadata" "product_alt" {
  for_each = local.images_by_key

  upload_id = each.value.id
  # default_field_metadata is the whole value once set, so start from what the upload holds
  # (titles, other locales, the focal point) and set the English alt text on top of it.
  default_field_metadata = merge(each.value.default_field_metadata, {
    en = merge(
      try(each.value.default_field_metadata["en"], { title = null, custom_data = null, focal_point = null }),
      { alt = lookup(local.alt_texts, each.value.filename, "Product photo: ${replace(each.value.basename, "-", " ")}") },
    )
  })
}
