# Terraform 1.12 and later: import by the collection's identity.
import {
  to = datocms_upload_collection.campaigns
  identity = {
    id = "Hq3ZtY8wRk2Lm5Np0Bs7Cd"
  }
}
