"""The urbanmine engine: pure Python and NumPy, never Django.

Numbers in, numbers out; usable from a notebook. The Django apps adapt ORM data to the
small dataclasses defined here (see `services.py` in each app).
"""
