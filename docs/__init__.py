"""User guides (Markdown), shipped with the extension and served at /huong-dan."""
