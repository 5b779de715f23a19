# The metadata of every upload of the library (its files stay in DatoCMS). Terraform
# returns at most 100 results per list block unless limit says otherwise.
list "datocms_upload_metadata" "library" {
  provider = datocms
  limit    = 10000
}

# Only the images of one collection.
list "datocms_upload_metadata" "product_images" {
  provider = datocms
  limit    = 1000

  config {
    upload_collection_id = "c8a1b2c3d4e5f6a7b8c9d0"
    type                 = "image"
  }
}
