"""Import and export of annotations in other formats (tool formats, inline markup)."""
