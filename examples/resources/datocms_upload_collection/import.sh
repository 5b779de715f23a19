# Import an existing upload collection by its ID (the datocms_upload_collection data source
# finds it by label).
terraform import datocms_upload_collection.marketing VpNoWSzLQmyQ3X0GBHgVGA
