# Manage the metadata of an upload that already exists in DatoCMS (its file stays as it is).
resource "datocms_upload_metadata" "hero" {
  upload_id = "q0VNpiNQSkG6z0lif_O1zg"

  copyright = "© 2026 Example Ltd"
  tags      = ["homepage", "hero"]

  default_field_metadata = {
    en = {
      alt         = "Our team at the summer retreat"
      title       = "Summer retreat"
      focal_point = { x = 0.5, y = 0.3 }
    }
    it = {
      alt         = "Il nostro team al ritiro estivo"
      focal_point = { x = 0.5, y = 0.3 }
    }
  }

  # author, notes, basename and upload_collection_id are left out: they are not managed,
  # and stay as DatoCMS has them.
}
