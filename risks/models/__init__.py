from risks.models.asset import Asset

__all__ = ["Asset"]
