# Terraform 1.12 and later: import by the upload's identity.
import {
  to = datocms_upload.price_list
  identity = {
    id = "T0mAqL2cQ8e7Vb3nXo1pZw"
  }
}
