# A hero video with its poster frame and English and Italian subtitles, kept in the repo.
resource "datocms_upload" "hero_video" {
  source      = "${path.module}/assets/hero.mp4"
  basename    = "hero"
  poster_time = 4.5 # seconds; needs an environment with field-keyed metadata

  lifecycle {
    postcondition {
      condition     = self.antivirus_status != "infected"
      error_message = "DatoCMS quarantined the hero video: ${coalesce(self.threat_name, "unnamed threat")}."
    }
  }
}

resource "datocms_upload_track" "hero_subtitles" {
  for_each = {
    en = "English"
    it = "Italiano"
  }

  upload_id     = datocms_upload.hero_video.id
  type          = "subtitles"
  source        = "${path.module}/assets/hero.${each.key}.vtt"
  language_code = each.key
  name          = each.value

  # DatoCMS has no update for tracks: a new file replaces the track. Create the new one
  # first, so that the video is never without subtitles.
  lifecycle {
    create_before_destroy = true
  }
}

output "hero_stream_url" {
  description = "HLS stream of the hero video, for a video player."
  value       = "https://stream.mux.com/${datocms_upload.hero_video.mux_playback_id}.m3u8"
}

output "hero_poster_url" {
  description = "The poster frame as an image."
  value       = "https://image.mux.com/${datocms_upload.hero_video.mux_playback_id}/thumbnail.jpg?time=${datocms_upload.hero_video.poster_time}"
}
