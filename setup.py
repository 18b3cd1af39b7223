"""Build the optional C accelerator (whatsapp_audit/_native.c); everything else is in pyproject.toml.

`optional=True`: without a C compiler (or Python headers) the build of the extension is skipped with
a warning and the package installs as pure Python, which gives the same output (docs/native.md).
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("whatsapp_audit._native", ["whatsapp_audit/_native.c"], optional=True)])
