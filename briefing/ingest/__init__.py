"""Ingest: seeds/ (raw scraped articles) → content/articles/*.md.

Stages, each a module with one job:
decode → detect (format) → blocks (split into text blocks) → clean (characters) →
locate (body span, title, date, outlet, author) → structure (Markdown body) →
enrich (knowledge layer) → store (write, editors win).
"""
