"""The Scrapy project: one config-driven spider (``portal``) that fetches and hands pages over.

Text work lives in ``archive`` (usable without Scrapy); this package only fetches list and
article pages, follows the links ``sources.toml`` asks for, and passes pages to the item
pipelines, which extract (in worker processes: ``extract_pool``) and write the archive.
"""
