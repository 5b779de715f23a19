# The demo that `make demo` applies against the local DatoCMS-compatible API server.
# The provider block is empty on purpose: the demo script sets DATOCMS_BASE_URL and
# DATOCMS_API_TOKEN, exactly as a CI job would for a real project.

terraform {
  required_providers {
    datocms = {
      source = "assetform/datocms"
    }
  }
}

provider "datocms" {}

resource "datocms_upload" "hero" {
  source    = "${path.module}/files/hero.png"
  author    = "Jane Doe"
  copyright = "2026 ACME Inc."
  tags      = ["homepage", "hero"]

  default_field_metadata = {
    en = {
      alt         = "Sunset over the ACME headquarters"
      title       = "ACME headquarters"
      focal_point = { x = 0.5, y = 0.3 }
    }
    it = {
      alt         = "Tramonto sulla sede di ACME"
      title       = "Sede di ACME"
      focal_point = { x = 0.5, y = 0.3 }
    }
  }
}

resource "datocms_upload" "logo" {
  source    = "${path.module}/files/logo.gif"
  basename  = "acme-logo"
  copyright = "2026 ACME Inc."
  tags      = ["brand"]

  default_field_metadata = {
    en = { alt = "ACME logo" }
  }
}

resource "datocms_upload" "guidelines" {
  source = "${path.module}/files/brand-guidelines.txt"
  notes  = "Share with agencies before any campaign."
  tags   = ["brand", "internal"]
}

output "uploads" {
  description = "ID and public URL of every demo upload."
  value = {
    for name, upload in {
      hero       = datocms_upload.hero
      logo       = datocms_upload.logo
      guidelines = datocms_upload.guidelines
    } : name => { id = upload.id, url = upload.url, md5 = upload.md5 }
  }
}
