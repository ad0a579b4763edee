"""The editorial inbox in the Wagtail admin: what the monitoring brought in, for editors to
accept (with corrected tags, on a story), reject with a reason, or split when wrongly merged.

`inbox` holds the views, `forms` what editors fill in; every decision goes through
`services`, every read through `queries`.
"""
