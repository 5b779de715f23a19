# The tracks of a video, for example to check that every language has subtitles.
data "datocms_upload_tracks" "hero" {
  upload_id = "q0VNpiNQSkG6z0lif_O1zg"
}

output "hero_subtitle_languages" {
  value = [for t in data.datocms_upload_tracks.hero.tracks : t.language_code if t.type == "subtitles"]
}
