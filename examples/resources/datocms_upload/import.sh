# Import an existing upload by its ID (shown in the asset's details in the DatoCMS media
# library, and returned by the API as the upload's "id").
terraform import datocms_upload.product_photo Rb2xqLe8Rr-UKLOSxrBNkQ
