"""Imported videos and markers (``plugin_sdk.imports``): records read and checked (``records``),
matched to the rows already here and merged into them (``merging``), or created where a scan would
place them (``creating``), with their play and o history (``history``) and covers (``covers``).
``plugins_builtin.videos.importer`` registers the importers."""
