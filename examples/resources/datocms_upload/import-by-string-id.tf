# Adopt an existing upload with an import block (Terraform 1.5 and later). The plan shows
# the import, and any difference between the configuration and the upload as an in-place
# update.
import {
  to = datocms_upload.product_photo
  id = "Rb2xqLe8Rr-UKLOSxrBNkQ"
}
