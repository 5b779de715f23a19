# Adopt the metadata of an existing upload with an import block (Terraform 1.5 and later).
import {
  to = datocms_upload_metadata.hero
  id = "q0VNpiNQSkG6z0lif_O1zg"
}
