# Import a track by its upload's ID and its own, separated by a slash (the
# datocms_upload_tracks data source lists a video's tracks with their IDs).
terraform import 'datocms_upload_track.hero_subtitles["en"]' q0VNpiNQSkG6z0lif_O1zg/Zc3nR2aSQUWw9R1y6NZTzA
