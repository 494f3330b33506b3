"""Vocabulary of the MODERATE 2020 building-stock table (building_stock/ in the data
directory): construction-period bands and subsector → urbanmine use type."""

# The construction-period labels of MODERATE ("bage") as inclusive year ranges; the open
# "Before 1945" band starts at 1880 for sampling and calibration.
MODERATE_PERIOD_YEARS: dict[str, tuple[int, int]] = {
    "Before 1945": (1880, 1944),
    "1945 - 1969": (1945, 1969),
    "1970 - 1979": (1970, 1979),
    "1980 - 1989": (1980, 1989),
    "1990 - 1999": (1990, 1999),
    "2000 - 2010": (2000, 2010),
    "2011 - 2020": (2011, 2020),
}

# MODERATE subsector -> urbanmine use type.
MODERATE_USE_TYPES: dict[str, str] = {
    "Single family- Terraced houses": "house",
    "Multifamily houses": "apartment",
    "Apartment blocks": "apartment",
    "Offices": "office",
    "Trade": "retail",
    "Education": "education",
    "Health": "healthcare",
    "Hotels and Restaurants": "other",
    "Other non-residential buildings": "other",
}
