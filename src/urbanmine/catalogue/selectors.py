"""Reads on the catalogue used by imports: codes, and Dutch/English names as aliases."""

from .models import ProductGroup


def product_group_codes() -> set[str]:
    return set(ProductGroup.objects.values_list("code", flat=True))


def product_group_name_aliases() -> dict[str, str]:
    """Dutch and English names -> code, so inventories may write "Binnendeuren"."""
    return {
        name: code
        for code, *names in ProductGroup.objects.values_list("code", "name_nl", "name_en")
        for name in names
        if name
    }
