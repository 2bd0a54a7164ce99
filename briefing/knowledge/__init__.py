"""The knowledge layer: vocabularies and the extraction of regions, initiatives, topics and more."""
