# A collection by label.
data "datocms_upload_collection" "marketing" {
  label = "Marketing"
}

# Several folders may be called "Images": parent_id picks the one inside Marketing.
data "datocms_upload_collection" "marketing_images" {
  label     = "Images"
  parent_id = data.datocms_upload_collection.marketing.id
}

resource "datocms_upload" "hero" {
  source               = "${path.module}/assets/hero.png"
  upload_collection_id = data.datocms_upload_collection.marketing_images.id
}
