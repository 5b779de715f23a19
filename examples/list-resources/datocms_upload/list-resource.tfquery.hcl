# Every upload of one upload collection (media folder). Terraform returns at most 100
# results per list block unless limit says otherwise.
list "datocms_upload" "press_kit" {
  provider = datocms
  limit    = 1000

  config {
    upload_collection_id = "c8a1b2c3d4e5f6a7b8c9d0"
  }
}

# The images tagged "brand", newest first.
list "datocms_upload" "brand_images" {
  provider = datocms

  config {
    type     = "image"
    tags     = ["brand"]
    order_by = "_created_at_DESC"
  }
}
