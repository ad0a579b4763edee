"""The Resource Centre's six world regions, derived from UN M49 regions (via rigour).

The M49 regions split the world by continent; human-rights reporting groups it as the
original platform does, so Western Asia and Northern Africa form the Middle East & North
Africa, and the Caucasus, Cyprus and Turkey sit with Europe & Central Asia.
"""

import pycountry
from rigour.territories import get_territory

AFRICA = "Africa"
ASIA_PACIFIC = "Asia & Pacific"
EUROPE_CENTRAL_ASIA = "Europe & Central Asia"
LATIN_AMERICA = "Latin America & Caribbean"
MENA = "Middle East & North Africa"
NORTH_AMERICA = "North America"

REGIONS = [AFRICA, ASIA_PACIFIC, EUROPE_CENTRAL_ASIA, LATIN_AMERICA, MENA, NORTH_AMERICA]

_EUROPEAN_WESTERN_ASIA = {"AM", "AZ", "CY", "GE", "TR"}
_MIDDLE_EASTERN_SOUTHERN_ASIA = {"IR"}


def region_for(code: str) -> str | None:
    """The region of an ISO 3166-1 alpha-2 country code; None for Antarctica."""
    code = code.upper()
    territory = get_territory(code.lower())
    if territory is None or territory.region == "Antarctica":
        return None
    region, subregion = territory.region, territory.subregion
    if code in _EUROPEAN_WESTERN_ASIA or region == "Europe" or subregion == "Central Asia":
        return EUROPE_CENTRAL_ASIA
    if subregion in {"Western Asia", "Northern Africa"} or code in _MIDDLE_EASTERN_SOUTHERN_ASIA:
        return MENA
    if region == "Africa":
        return AFRICA
    if subregion == "Northern America":
        return NORTH_AMERICA
    if region == "Americas":
        return LATIN_AMERICA
    return ASIA_PACIFIC


def countries() -> list[tuple[str, str, str]]:
    """(alpha-2 code, common English name, region) for every ISO 3166-1 country with a region."""
    rows = []
    for country in pycountry.countries:
        region = region_for(country.alpha_2)
        if region is None:
            continue
        name = getattr(country, "common_name", None) or country.name
        rows.append((country.alpha_2, name, region))
    return rows
