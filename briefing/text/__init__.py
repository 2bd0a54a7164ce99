"""Chinese-text primitives shared by every stage: script folding and sentence splitting."""
