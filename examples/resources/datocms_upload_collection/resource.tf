# A folder of the media library, with a sub-folder inside it.
resource "datocms_upload_collection" "marketing" {
  label = "Marketing"
}

resource "datocms_upload_collection" "campaigns" {
  label     = "Campaigns 2026"
  parent_id = datocms_upload_collection.marketing.id
}

# Files go into a collection through upload_collection_id.
resource "datocms_upload" "spring_banner" {
  source               = "${path.module}/assets/spring-banner.jpg"
  upload_collection_id = datocms_upload_collection.campaigns.id
}

# A top-level folder pinned first in the Media Area. DatoCMS numbers the collections that
# share a parent 1, 2, 3...: "Marketing", whose position is not set, comes after it.
resource "datocms_upload_collection" "brand" {
  label    = "Brand"
  position = 1
}
