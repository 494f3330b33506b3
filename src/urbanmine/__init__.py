"""urbanmine: the Urban Mining platform for Zuid-Holland."""

__version__ = "0.1.0"
