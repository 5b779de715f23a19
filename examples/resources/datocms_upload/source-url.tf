# A file published elsewhere (a release artifact, a partner's press kit), pinned by its
# checksum: plans never touch the network, and the apply uploads only the pinned bytes.
resource "datocms_upload" "press_kit" {
  source_url    = "https://downloads.example.com/press/acme-press-kit-2026.pdf"
  source_sha256 = "9f2c1d6b8e0a4f37c5d1e2b3a4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7"
  basename      = "acme-press-kit-2026"
  tags          = ["press"]
}
