"""briefing: turn scraped Chinese news articles into a cross-referenced briefing site."""

__version__ = "0.1.0"
