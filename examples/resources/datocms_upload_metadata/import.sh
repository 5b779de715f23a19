# Import the metadata of an upload by the upload's ID.
terraform import datocms_upload_metadata.hero q0VNpiNQSkG6z0lif_O1zg
