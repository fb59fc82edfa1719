"""The web shell: layout, navigation from plugins, static assets."""
