# Terraform 1.12 and later: import by the upload's identity.
import {
  to = datocms_upload_metadata.logo
  identity = {
    id = "Kd82nQm1Tz-4bVx7LcPe3w"
  }
}

resource "datocms_upload_metadata" "logo" {
  upload_id = "Kd82nQm1Tz-4bVx7LcPe3w"
}
