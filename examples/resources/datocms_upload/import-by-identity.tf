# Terraform 1.12 and later: import by the upload's identity.
import {
  to = datocms_upload.product_photo
  identity = {
    id = "Rb2xqLe8Rr-UKLOSxrBNkQ"
  }
}
