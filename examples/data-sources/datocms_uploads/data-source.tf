data "datocms_upload_collection" "products" {
  label = "Products"
}

# Every image of the Products collection tagged both "catalog" and "2026".
data "datocms_uploads" "catalog_images" {
  upload_collection_id = data.datocms_upload_collection.products.id
  type                 = "image"
  tags                 = ["catalog", "2026"]
  order_by             = "filename_ASC"
}

# The images among them that still lack an English alt text.
output "images_without_alt" {
  value = [
    for u in data.datocms_uploads.catalog_images.uploads : u.filename
    if try(u.default_field_metadata["en"].alt, null) == null
  ]
}

# Free-text search (file name, author, copyright, notes, alt and title) in Italian.
data "datocms_uploads" "sneakers_it" {
  query  = "scarpe"
  locale = "it"
}
