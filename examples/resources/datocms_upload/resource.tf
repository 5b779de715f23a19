# A product photo with alt text and a title in two locales, tags, and a focal point that
# keeps the product in frame when records crop the image.
resource "datocms_upload" "product_photo" {
  source    = "${path.module}/assets/sneaker-red.jpg"
  basename  = "sneaker-red"
  author    = "Jane Doe"
  copyright = "2026 ACME Inc."
  notes     = "Studio shoot, March 2026. Retouched by the brand team."
  tags      = ["product", "sneakers", "spring-2026"]

  default_field_metadata = {
    en = {
      alt         = "Red sneaker, side view, on a white background"
      title       = "Red sneaker"
      custom_data = { sku = "SNK-RED-42" }
      focal_point = { x = 0.42, y = 0.55 }
    }
    it = {
      alt         = "Sneaker rossa, vista laterale, su sfondo bianco"
      title       = "Sneaker rossa"
      custom_data = { sku = "SNK-RED-42" }
      focal_point = { x = 0.42, y = 0.55 }
    }
  }
}

# A document whose public URL must stay the same when a new version is uploaded.
resource "datocms_upload" "price_list" {
  source           = "${path.module}/assets/price-list.pdf"
  basename         = "price-list"
  replace_strategy = "keep_url"
  tags             = ["sales"]
}
