"""Spiders: one generic spider per platform, one tiny spider per site (its profile id)."""
