terraform {
  required_providers {
    datocms = {
      source = "assetform/datocms"
    }
  }
}

# The API token is read from the DATOCMS_API_TOKEN environment variable, so it never
# appears in configuration or in version control:
#
#   export DATOCMS_API_TOKEN=...
provider "datocms" {
  # Manage a sandbox environment instead of the primary one (or set DATOCMS_ENVIRONMENT).
  environment = "staging"
}
