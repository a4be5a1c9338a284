"""The HCL hand-off bundle: the synthesized root module as reviewed-quality `.tf` files.

`convert.document_files` turns the JSON document into files split by concern (blocks and
attributes from the provider schema snapshot in `schema`, templates carried over by `templates`,
laid out in `terraform fmt`'s canonical form by `writer`); `bundle.write_hcl_bundle` writes them
with the archives and a README.
"""
