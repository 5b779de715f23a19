# The upload that holds a given file, wherever it is in the media library (with the file at
# hand: md5 = filemd5("${path.module}/assets/logo.svg")).
data "datocms_upload" "logo" {
  md5 = "0f343b0931126a20f133d67c2b018a3b"
}

# The upload named terms.pdf (exactly one upload must have that name).
data "datocms_upload" "terms" {
  filename = "terms.pdf"
}

output "logo_url" {
  value = data.datocms_upload.logo.url
}

output "terms_alt_text" {
  value = try(data.datocms_upload.terms.default_field_metadata["en"].alt, null)
}
