"""The certification list the data steward keeps (issue #18), seeded with the four schemes
the report names (BRL SVMS-007, KOMO, ISO 14001, VCA); the steward adds others in the admin.
Names, owners and descriptions as the scheme owners publish them."""

from __future__ import annotations

SCHEMES = [
    (
        "brl-svms-007",
        "BRL SVMS-007",
        "Stichting Veilig en Milieukundig Slopen (SVMS)",
        "Veilig en milieukundig slopen (beoordelingsrichtlijn voor sloopbedrijven)",
        "https://www.svms.nl/",
    ),
    (
        "komo",
        "KOMO",
        "Stichting KOMO",
        "Kwaliteitsverklaringen voor bouwproducten en -processen",
        "https://www.komo.nl/",
    ),
    (
        "iso-14001",
        "ISO 14001",
        "International Organization for Standardization (ISO)",
        "Milieumanagementsysteem",
        "https://www.iso.org/iso-14001-environmental-management.html",
    ),
    (
        "vca",
        "VCA",
        "Stichting Samenwerken voor Veiligheid (SSVV)",
        "Veiligheid, gezondheid en milieu (VGM) op de werkplek",
        "https://www.vca.nl/",
    ),
]


def certification_schemes_ensure(model=None) -> dict:
    if model is None:
        from .models import CertificationScheme as model
    out = {}
    for code, name, issuer, description, url in SCHEMES:
        out[code], _created = model.objects.get_or_create(
            code=code,
            defaults={"name": name, "issuer": issuer, "description": description, "url": url},
        )
    return out
