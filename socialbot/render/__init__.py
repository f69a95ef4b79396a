"""The renderer's tools: templates, Markdown, generated images, fonts, and the job a
platform renders its part from (``render.job``).

``socialbot.rendering.render_post`` drives them for a whole post; it sits above the
platform registry, these modules below it.
"""
