# scrapyd-deploy builds its egg by running setup.py; the metadata is in pyproject.toml.
from setuptools import setup

setup()
