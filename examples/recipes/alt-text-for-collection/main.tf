# Enforce alt text on every image of a collection, for uploads that already exist and whose
# files no repository holds. Each image gets a datocms_upload_metadata that manages its
# default metadata only: author, tags and the rest stay as the Media Area has them. An alt
# text edited in the UI shows as drift in the next plan, and the apply puts it back.
data "datocms_upload_collection" "products" {
  label = "Products"
}

data "datocms_uploads" "product_images" {
  upload_collection_id = data.datocms_upload_collection.products.id
  type                 = "image"
}

locals {
  # Alt texts written by hand, by file name; the others get one derived from the name.
  alt_texts = {
    "blue-chair.jpg" = "Blue lounge chair with oak legs"
  }
}

resource "datocms_upload_metadata" "product_alt" {
  for_each = { for u in data.datocms_uploads.product_images.uploads : u.id => u }

  upload_id = each.key
  # default_field_metadata is the whole value once set, so start from what the upload holds
  # (titles, other locales, the focal point) and set the English alt text on top of it.
  default_field_metadata = merge(each.value.default_field_metadata, {
    en = merge(
      try(each.value.default_field_metadata["en"], { title = null, custom_data = null, focal_point = null }),
      { alt = lookup(local.alt_texts, each.value.filename, "Product photo: ${replace(each.value.basename, "-", " ")}") },
    )
  })
}
