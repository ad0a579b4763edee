from resourcecentre.lib.regions import MENA, REGIONS, countries, region_for


def test_it_places_countries_in_the_regions_readers_expect():
    assert region_for("EG") == MENA
    assert region_for("sa") == MENA
    assert region_for("IR") == MENA
    assert region_for("TR") == "Europe & Central Asia"
    assert region_for("KZ") == "Europe & Central Asia"
    assert region_for("US") == "North America"
    assert region_for("MX") == "Latin America & Caribbean"
    assert region_for("JP") == "Asia & Pacific"
    assert region_for("FJ") == "Asia & Pacific"
    assert region_for("NG") == "Africa"


def test_every_country_but_antarctica_has_one_of_the_six_regions():
    rows = countries()
    assert len(rows) == 248
    assert {region for _, _, region in rows} == set(REGIONS)
    assert "AQ" not in {code for code, _, _ in rows}
