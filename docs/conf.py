"""Sphinx configuration of phylanx's documentation (build: see the README, "Documentation").

The pages are the Markdown files of this folder (MyST); the API reference imports the installed
phylanx. `sphinx-build -W` turns every warning into an error: CI builds the site that way.
"""

import phylanx

project = "phylanx"
author = "the phylanx developers"
copyright = "the phylanx developers"
release = version = phylanx.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "README.md"]

# Docstrings write `name` for code: show it as inline code, not as a failed cross-reference.
default_role = "code"
autodoc_typehints = "description"
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}

myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

html_theme = "pydata_sphinx_theme"
html_title = f"phylanx {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
