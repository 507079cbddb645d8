"""finlake: a retail bank's medallion data platform (Bronze -> Silver -> Gold)."""

__version__ = "0.1.0"
