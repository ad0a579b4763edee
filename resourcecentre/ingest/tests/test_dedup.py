import datetime

import pytest

from resourcecentre.ingest.dedup import (
    BANDS,
    find_duplicate,
    save_bands,
    split_entry,
    text_bands,
    title_key,
)
from resourcecentre.ingest.models import Candidate, Entry, Feed, TextBand
from tests.factories import SourceFactory

MONDAY = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.UTC)

WIRE = """Norvale Mining said on Tuesday it would suspend operations at its Kasempa copper mine in
northern Zambia after a tailings dam leak contaminated a river used by about 12,000 villagers
for drinking water and irrigation. The company said the leak was detected on Sunday evening and
that it had deployed pumps and barriers to contain the spill. Local officials said fish had died
along a 20-kilometre stretch of the Lunga river and that at least 40 people had been treated
for skin rashes and stomach complaints at the district hospital. "We deeply regret the impact on
the communities around Kasempa and are working with the authorities to restore safe water,"
chief executive Daniel Mwansa said in a statement. Environmental groups said the dam had been
flagged as unstable in an inspection report two years ago, which the company disputed. Zambia's
Ministry of Mines said it had opened an investigation and would decide within two weeks whether
to revoke the mine's operating licence. The Kasempa mine produced about 85,000 tonnes of copper
last year, roughly a tenth of Norvale's global output. Shares in the London-listed miner fell
4.2 percent in early trading. Residents told reporters they had been buying bottled water at
inflated prices since Monday and demanded compensation. A lawyer representing several villages
said they were considering legal action in both Zambia and the United Kingdom, where Norvale
is headquartered."""

# The same wire copy on another site: house style, a sentence and the ending cut, a credit line.
WIRE_ELSEWHERE = """Norvale Mining said Tuesday it will suspend operations at its Kasempa copper mine in
northern Zambia after a tailings dam leak contaminated a river used by some 12,000 villagers
for drinking water and irrigation. The company said the leak was detected on Sunday evening and
that it had deployed pumps and barriers to contain the spill. Local officials said fish had died
along a 20km stretch of the Lunga river and that at least 40 people had been treated
for skin rashes and stomach complaints at the district hospital. "We deeply regret the impact on
the communities around Kasempa and are working with the authorities to restore safe water,"
chief executive Daniel Mwansa said in a statement. Environmental groups said the dam had been
flagged as unstable in an inspection report two years ago, which the company disputed. Zambia's
Ministry of Mines said it had opened an investigation and would decide within two weeks whether
to revoke the mine's operating licence. The Kasempa mine produced about 85,000 tonnes of copper
last year, roughly a tenth of Norvale's global output. Residents told reporters they had been
buying bottled water at inflated prices since Monday and demanded compensation.
This article was originally published by Reuters."""

WIRE_UPDATED = (
    WIRE
    + """ Update: On Wednesday Norvale said it would pay for water deliveries to
the affected villages for at least three months and commission an independent review of all its
tailings facilities in Zambia and Chile. The ministry said inspectors had arrived at the site."""
)

# The same event, reported and written independently.
REPORTAGE = """Villagers near the Kasempa copper mine in Zambia are demanding answers from
Norvale Mining after a leak from a tailings dam turned the Lunga river orange this week. Mary
Chanda, a farmer and mother of four, said her family had stopped using the river on Monday after
her youngest son fell ill. Community leaders accused the company of ignoring warnings about the
dam, pointing to an inspection report from two years ago that described cracks in its wall.
Norvale, which is based in London, said it was cooperating with the government investigation and
had brought in pumps to stop the spill spreading. Activists from the Zambia Mining Watch network
said the case showed the need for stronger oversight of foreign-owned mines and for a fund to
compensate communities when disasters happen. The ministry has said it could revoke the licence."""

ABOUT_HELVION = """About Helvion Group: Helvion Group is a global leader in consumer electronics
and components, with more than 90,000 employees in 34 countries and annual revenues of 48 billion
dollars. Helvion is committed to responsible business conduct, respect for human rights across
its supply chain and the highest standards of environmental stewardship. The company is listed
on the Frankfurt Stock Exchange. Forward-looking statements: this press release contains
forward-looking statements that are subject to risks and uncertainties, and actual results may
differ materially from those expressed or implied. Helvion undertakes no obligation to update
any forward-looking statement. Media contact: press office, Helvion Group, press@helvion.example."""

PLANT_RELEASE = (
    """Helvion Group today announced the opening of a new battery assembly plant in
Monterrey, Mexico, which will employ 2,400 people when it reaches full capacity in 2026. The plant
will supply battery packs to electric vehicle manufacturers in North America. Helvion said the site
would run entirely on renewable electricity and that it had signed agreements with three local
technical colleges to train workers. """
    + ABOUT_HELVION
)

AUDIT_RELEASE = (
    """Helvion Group today published its annual modern slavery statement, which
describes an audit of 312 supplier factories in Malaysia, Thailand and Vietnam. The audits found
recruitment fees charged to migrant workers at 27 factories, and Helvion said it had required those
suppliers to reimburse about 3.1 million dollars to workers. The company also said it would stop
sourcing from two suppliers that had confiscated passports. """
    + ABOUT_HELVION
)

# Releases so short that the boilerplate is most of each: their texts are more than half alike.
CFO_RELEASE = "Helvion Group appoints Sabine Kraus as chief financial officer from 1 July. " + ABOUT_HELVION
DIVIDEND_RELEASE = "Helvion Group proposes a dividend of 1.20 euros per share for the year. " + ABOUT_HELVION

RECALL_JA = """トヨタ自動車は十五日、ブレーキ部品の不具合により、
国内外で約三十万台をリコールすると発表した。
対象は二〇二一年から二〇二三年に製造された小型車三車種で、部品を供給した協力会社の工場で品質検査が
適切に行われていなかったという。同社によると、これまでに事故の報告はない。国土交通省は同社に対し、
原因の究明と再発防止策の提出を求めた。協力会社の従業員は、納期に間に合わせるため検査工程が省略されて
いたと証言しており、労働組合は長時間労働の実態についても調査を求めている。"""

# The same agency story on a website: Arabic numerals, a reworded clause, the agency credited.
RECALL_JA_ELSEWHERE = """トヨタ自動車は15日、ブレーキ部品に不具合があるとして、
国内外で約30万台をリコールすると発表した。
対象は2021年から2023年に製造された小型車3車種で、部品を供給した協力会社の工場で品質検査が
適切に行われていなかったという。同社によると、これまでに事故の報告はない。国土交通省は同社に対し、
原因の究明と再発防止策の提出を求めた。協力会社の従業員は、納期に間に合わせるため検査工程が省略されて
いたと証言しており、労働組合は長時間労働の実態についても調査を求めている。（共同）"""

PLANT_DELAY_JA = """ソニーグループは十五日、半導体工場の建設計画を見直すと発表した。
熊本県に予定していた新工場は、
需要の減少を受けて着工を一年延期する。地元の自治体は雇用への影響を懸念しており、県の担当者は
同社と協議を続けると述べた。同社によると、既存工場の従業員の配置転換は行わない方針だという。"""


def make_feed(name: str, source_name: str | None = None) -> Feed:
    source = SourceFactory(name=source_name) if source_name else None
    return Feed.objects.create(
        name=name, url=f"https://{name.lower().replace(' ', '-')}.example/feed", source=source
    )


def ingest(feed: Feed, *, title: str, text: str = "", url: str, at: datetime.datetime = MONDAY) -> Entry:
    """What the pipeline does with one entry, in the same order."""
    key, bands = title_key(title), text_bands(title, text)
    candidate_id = find_duplicate(
        canonical_url=url, title_key=key, bands=bands, feed_id=feed.pk, published_at=at, text=text
    )
    if candidate_id is None:
        candidate_id = Candidate.objects.create(
            title=title, url=url, text=text, published_at=at, title_key=key
        ).pk
        save_bands(candidate_id, bands)
    return Entry.objects.create(
        feed=feed,
        candidate_id=candidate_id,
        guid=url,
        url=url,
        canonical_url=url,
        title=title,
        text=text,
        published_at=at,
    )


def test_title_key_folds_case_accents_punctuation_and_spacing_in_any_script():
    assert title_key("  Shell’s Nigeria SPILL: “Update”!  ") == title_key("shell s nigeria spill update")
    assert title_key("Élection à São Paulo — l'usine ferme") == "election a sao paulo l usine ferme"
    assert title_key("Завод «Норильский никель» закрыт") == "завод норильскии никель закрыт"
    assert title_key("トヨタ、リコールを発表（小型車）") == title_key("トヨタ リコールを発表 小型車")
    assert title_key("ＡＢＣ　株式会社") == "abc 株式会社"
    assert title_key("!!! — ???") == ""


def test_title_key_fits_its_column():
    assert len(title_key("Workers strike " * 40)) <= 255


def test_text_bands_are_stable_signed_64_bit_integers():
    bands = text_bands("Norvale suspends Zambian mine", WIRE)

    assert len(bands) == BANDS
    assert all(-(2**63) <= band < 2**63 for band in bands)
    assert bands == text_bands("Norvale suspends Zambian mine", WIRE)
    assert bands != text_bands("Norvale suspends Zambian mine", REPORTAGE)


def test_a_bare_headline_has_no_bands():
    assert text_bands("Norvale suspends Zambian mine", "") == []


@pytest.mark.django_db
def test_the_same_canonical_url_from_another_feed_is_the_same_candidate():
    first = ingest(make_feed("Daily Ledger"), title="Norvale halts mine", url="https://ledger.example/a/1")
    again = ingest(
        make_feed("Mining Wire"), title="Zambia: mine leak", text=REPORTAGE, url="https://ledger.example/a/1"
    )

    assert again.candidate == first.candidate
    assert Candidate.objects.count() == 1


@pytest.mark.django_db
def test_the_same_title_from_the_same_source_within_days_is_merged():
    news, business = make_feed("Ledger news", "Daily Ledger"), make_feed("Ledger business", "Daily Ledger")
    first = ingest(news, title="Norvale halts Kasempa mine after leak", url="https://ledger.example/a/1")
    same_feed = ingest(
        news,
        title="Norvale halts Kasempa mine after leak",
        url="https://ledger.example/a/1-live",
        at=MONDAY + datetime.timedelta(days=2),
    )
    same_source = ingest(
        business,
        title="NORVALE HALTS KASEMPA MINE AFTER LEAK",
        url="https://ledger.example/business/a/1",
        at=MONDAY - datetime.timedelta(days=1),
    )

    assert same_feed.candidate == first.candidate
    assert same_source.candidate == first.candidate


@pytest.mark.django_db
def test_the_same_title_after_the_window_is_new_news():
    feed = make_feed("Ledger news", "Daily Ledger")
    first = ingest(feed, title="Workers strike at Kasempa mine", url="https://ledger.example/a/1")
    later = ingest(
        feed,
        title="Workers strike at Kasempa mine",
        url="https://ledger.example/a/2",
        at=MONDAY + datetime.timedelta(days=4),
    )

    assert later.candidate != first.candidate


@pytest.mark.django_db
def test_the_same_title_from_another_source_is_not_merged_on_the_title_alone():
    first = ingest(
        make_feed("Ledger", "Daily Ledger"), title="Workers strike", url="https://ledger.example/1"
    )
    other = ingest(
        make_feed("Courier", "Evening Courier"), title="Workers strike", url="https://courier.example/1"
    )
    no_source = ingest(make_feed("Blog"), title="Workers strike", url="https://blog.example/1")

    assert len({first.candidate, other.candidate, no_source.candidate}) == 3


@pytest.mark.django_db
def test_a_column_that_reuses_its_title_is_not_merged_when_its_texts_differ():
    feed = make_feed("Ledger", "Daily Ledger")
    monday = ingest(feed, title="Morning briefing", text=WIRE, url="https://ledger.example/briefing/3")
    tuesday = ingest(
        feed,
        title="Morning briefing",
        text=AUDIT_RELEASE,
        url="https://ledger.example/briefing/4",
        at=MONDAY + datetime.timedelta(days=1),
    )

    assert tuesday.candidate != monday.candidate


@pytest.mark.django_db
def test_the_same_wire_story_lightly_rewritten_on_another_site_is_merged():
    wire = ingest(
        make_feed("Wire", "Wire Service"),
        title="Norvale to suspend Zambian copper mine after tailings leak",
        text=WIRE,
        url="https://wire.example/norvale-zambia",
    )
    elsewhere = ingest(
        make_feed("Courier", "Evening Courier"),
        title="Zambia: Norvale halts Kasempa mine as dam leak poisons river",
        text=WIRE_ELSEWHERE,
        url="https://courier.example/world/africa/norvale",
        at=MONDAY + datetime.timedelta(hours=5),
    )

    assert elsewhere.candidate == wire.candidate


@pytest.mark.django_db
def test_an_updated_version_of_an_article_is_merged():
    first = ingest(
        make_feed("Wire", "Wire Service"), title="Norvale halts mine", text=WIRE, url="https://wire.example/1"
    )
    updated = ingest(
        make_feed("Courier", "Evening Courier"),
        title="Norvale to pay for water after Zambian mine leak (updated)",
        text=WIRE_UPDATED,
        url="https://courier.example/2",
        at=MONDAY + datetime.timedelta(days=1),
    )

    assert updated.candidate == first.candidate


@pytest.mark.django_db
def test_independent_reports_of_the_same_event_stay_apart():
    wire = ingest(
        make_feed("Wire", "Wire Service"), title="Norvale halts mine", text=WIRE, url="https://wire.example/1"
    )
    reportage = ingest(
        make_feed("Courier", "Evening Courier"),
        title="Norvale halts mine",
        text=REPORTAGE,
        url="https://courier.example/1",
    )

    assert reportage.candidate != wire.candidate


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first", "second"),
    [(PLANT_RELEASE, AUDIT_RELEASE), (CFO_RELEASE, DIVIDEND_RELEASE)],
    ids=["long", "short"],
)
def test_two_releases_that_share_boilerplate_stay_apart(first, second):
    newsroom = make_feed("Helvion newsroom", "Helvion Group")
    one = ingest(newsroom, title="Helvion news one", text=first, url="https://helvion.example/news/1")
    two = ingest(newsroom, title="Helvion news two", text=second, url="https://helvion.example/news/2")

    assert two.candidate != one.candidate


@pytest.mark.django_db
def test_japanese_near_duplicates_are_merged_and_other_japanese_news_is_not():
    kyodo = make_feed("Kyodo", "Kyodo News")
    recall = ingest(kyodo, title="トヨタ、三十万台リコール", text=RECALL_JA, url="https://kyodo.example/1")
    elsewhere = ingest(
        make_feed("Keizai", "Keizai Shimbun"),
        title="トヨタ 30万台をリコール ブレーキ部品に不具合",
        text=RECALL_JA_ELSEWHERE,
        url="https://keizai.example/2",
    )
    other = ingest(
        kyodo, title="ソニー、熊本工場の着工延期", text=PLANT_DELAY_JA, url="https://kyodo.example/3"
    )

    assert elsewhere.candidate == recall.candidate
    assert other.candidate != recall.candidate


@pytest.mark.django_db
def test_a_band_collision_alone_does_not_merge():
    candidate = Candidate.objects.create(
        title="Helvion audit", url="https://helvion.example/1", text=AUDIT_RELEASE, published_at=MONDAY
    )
    save_bands(candidate.pk, text_bands("Norvale halts mine", WIRE))

    found = find_duplicate(
        canonical_url="https://wire.example/1",
        title_key=title_key("Norvale halts mine"),
        bands=text_bands("Norvale halts mine", WIRE),
        feed_id=make_feed("Wire").pk,
        published_at=MONDAY,
        text=WIRE,
    )

    assert found is None


@pytest.mark.django_db
def test_near_duplicates_months_apart_are_different_news():
    first = ingest(make_feed("Wire"), title="Norvale halts mine", text=WIRE, url="https://wire.example/1")
    rerun = ingest(
        make_feed("Courier"),
        title="Zambia: Norvale halts mine",
        text=WIRE_ELSEWHERE,
        url="https://courier.example/1",
        at=MONDAY + datetime.timedelta(days=90),
    )

    assert rerun.candidate != first.candidate


@pytest.mark.django_db
def test_a_copy_of_an_accepted_candidate_joins_it_instead_of_the_inbox():
    first = ingest(make_feed("Wire"), title="Norvale halts mine", text=WIRE, url="https://wire.example/1")
    Candidate.objects.filter(pk=first.candidate_id).update(status=Candidate.Status.ACCEPTED)

    copy = ingest(
        make_feed("Courier"), title="Zambia mine", text=WIRE_ELSEWHERE, url="https://courier.example/1"
    )

    assert copy.candidate == first.candidate
    assert copy.candidate.status == Candidate.Status.ACCEPTED
    assert not Candidate.objects.filter(status=Candidate.Status.NEW).exists()


@pytest.mark.django_db
def test_each_layer_is_one_query(django_assert_num_queries):
    ingest(make_feed("Wire"), title="Norvale halts mine", text=WIRE, url="https://wire.example/1")
    feed = make_feed("Courier")

    with django_assert_num_queries(3):
        found = find_duplicate(
            canonical_url="https://courier.example/1",
            title_key=title_key("Helvion audit"),
            bands=text_bands("Helvion audit", AUDIT_RELEASE),
            feed_id=feed.pk,
            published_at=MONDAY,
            text=AUDIT_RELEASE,
        )
    assert found is None


@pytest.mark.django_db
def test_splitting_an_entry_gives_it_a_candidate_of_its_own():
    wire = ingest(make_feed("Wire"), title="Norvale halts mine", text=WIRE, url="https://wire.example/1")
    wrongly_merged = ingest(
        make_feed("Courier"), title="Zambia: mine leak", text=WIRE_ELSEWHERE, url="https://courier.example/1"
    )
    old = wire.candidate

    new = split_entry(wrongly_merged)

    wrongly_merged.refresh_from_db()
    old.refresh_from_db()
    assert wrongly_merged.candidate == new != old
    assert (new.title, new.url, new.status) == ("Zambia: mine leak", "https://courier.example/1", "new")
    assert new.title_key == "zambia mine leak"
    assert (new.text, new.language) == (WIRE_ELSEWHERE, "en")  # its own text goes with it
    assert new.bands.count() == BANDS
    assert list(old.entries.all()) == [wire]
    assert (old.title, old.text) == ("Norvale halts mine", WIRE)
    assert old.bands.count() == BANDS


@pytest.mark.django_db
def test_splitting_the_entry_a_candidate_was_made_from_takes_its_text_along():
    wire = ingest(make_feed("Wire"), title="Norvale halts mine", text=WIRE, url="https://wire.example/1")
    courier = ingest(
        make_feed("Courier"),
        title="Zambia: mine leak",
        text=WIRE_ELSEWHERE,
        url="https://courier.example/1",
        at=MONDAY + datetime.timedelta(hours=3),
    )
    old = courier.candidate

    new = split_entry(wire)

    old.refresh_from_db()
    assert (new.title, new.text) == ("Norvale halts mine", WIRE)
    assert new.bands.count() == BANDS
    # The candidate is now the remaining entry's, with its text.
    assert (old.title, old.url, old.published_at, old.text) == (
        "Zambia: mine leak",
        "https://courier.example/1",
        MONDAY + datetime.timedelta(hours=3),
        WIRE_ELSEWHERE,
    )
    assert old.title_key == "zambia mine leak"
    assert old.bands.count() == BANDS
    assert TextBand.objects.count() == 2 * BANDS


@pytest.mark.django_db
def test_an_entry_stored_without_its_text_takes_the_candidates_when_it_was_made_from_it():
    wire = ingest(make_feed("Wire"), title="Norvale halts mine", text=WIRE, url="https://wire.example/1")
    courier = ingest(
        make_feed("Courier"), title="Zambia: mine leak", text=WIRE_ELSEWHERE, url="https://courier.example/1"
    )
    Entry.objects.update(text="")  # entries stored before they kept their text

    new = split_entry(wire)

    old = Candidate.objects.get(pk=courier.candidate_id)
    assert (new.text, old.text) == (WIRE, "")
    assert not old.bands.exists()


@pytest.mark.django_db
def test_an_entry_alone_in_its_candidate_cannot_be_split():
    entry = ingest(make_feed("Wire"), title="Norvale halts mine", text=WIRE, url="https://wire.example/1")

    with pytest.raises(ValueError, match="nothing to split"):
        split_entry(entry)
