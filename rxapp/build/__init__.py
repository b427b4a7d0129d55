"""The production frontend's post-build steps (a Reflex plugin, `rxapp.build.plugin`).

Reflex builds the frontend with Vite; the plugin then drops the unused rules of the
render-blocking global style sheet (Radix Themes) with PurgeCSS, against the prerendered
pages and the JavaScript bundles, before Reflex precompresses the output.
"""
