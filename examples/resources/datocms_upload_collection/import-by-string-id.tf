# Adopt an existing upload collection with an import block (Terraform 1.5 and later).
import {
  to = datocms_upload_collection.marketing
  id = "VpNoWSzLQmyQ3X0GBHgVGA"
}
