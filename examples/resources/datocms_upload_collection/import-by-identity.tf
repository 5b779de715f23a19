# Terraform 1.12 and later: import by the collection's identity.
import {
  to = datocms_upload_collection.marketing
  identity = {
    id = "VpNoWSzLQmyQ3X0GBHgVGA"
  }
}
