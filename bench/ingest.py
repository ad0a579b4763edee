"""Throughput of the monitoring pipeline: feed entries per second, against feedparser alone.

Run from the project root:

    .venv/bin/python bench/ingest.py [--entries 20000] [--feeds 40] [--companies 20000] [--workers 2]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_ingest .venv/bin/python bench/ingest.py

Without DATABASE_URL it builds a throwaway SQLite database in a temporary directory (the
project's settings with their embedded defaults, only DATABASE_URL and VAR_DIR pointed there).
With a PostgreSQL DATABASE_URL it creates the named database, which must not exist yet, and
drops it at the end.

It bulk-loads a company register (names with legal forms in Latin, Japanese, Chinese, Cyrillic
and Arabic script, aliases and former names) and a few hundred published stories tagged with
its most-mentioned companies, then builds the tagger and the stories snapshot once. It
generates news entries (a headline and two to five sentences naming companies, countries,
places, issue phrases, people and figures, in eight languages) across RSS 2.0 and Atom feeds,
with planted copies: the same article relayed with tracking parameters, wire copy rewritten by
another outlet (its own headline, house style, a sentence cut, a credit line), and updates
re-posted under the same headline. The feeds are served by an HTTP server on 127.0.0.1 in a
thread of this process.

The timed run is `services.feed_run(feed=feed, fetch_articles=False)` for every feed, one after
the other: the HTTP fetch, parsing (step 1), language (3), tags (4), duplicates (5), the story
(6) and every database write; fetching articles behind teasers (step 2) is left out, as the
issue says. A second pass over the same feeds (everything seen before) is timed too, and then
the first pass again from empty pipeline tables in `--workers` processes taking one feed at a
time, as task-queue workers do. The baseline, in the same run, is feedparser parsing the same
feed bodies from memory and nothing else. Step timers are wrappers monkeypatched around the
pipeline's functions (each row is the function's own time, without the rows nested in it, and
the SQL run inside it); `--no-breakdown` times the run without them, `--profile N` under
cProfile. The last line is `items_per_s=<ours> parse_only_items_per_s=<baseline> items=<n>`,
of the first pass.
"""

import argparse
import bisect
import contextlib
import cProfile
import dataclasses
import datetime
import email.utils
import functools
import http.server
import io
import itertools
import json
import os
import platform
import pstats
import random
import re
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from throwaway import drop_database, setup_django  # beside this script

SEED = 20260501
TARGET_ITEMS_PER_S = 300
BATCH = 2000

# --- Set-up -----------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=20_000, help="feed entries in all")
    parser.add_argument("--feeds", type=int, default=40)
    parser.add_argument("--companies", type=int, default=20_000, help="companies in the register")
    parser.add_argument("--stories", type=int, default=400, help="published stories to suggest")
    parser.add_argument("--duplicates", type=float, default=0.12, help="share of entries that are copies")
    parser.add_argument(
        "--workers", type=int, default=2, help="processes for the parallel pass (1: no parallel pass)"
    )
    parser.add_argument("--no-breakdown", action="store_true", help="time the run without step timers")
    parser.add_argument("--profile", type=int, metavar="N", help="profile the run; print the top N functions")
    return parser.parse_args()


def machine() -> list[str]:
    import django
    import feedparser
    import wagtail
    from django.conf import settings
    from django.db import connection

    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    database = settings.DATABASES["default"]
    with connection.cursor():
        if connection.vendor == "sqlite":
            version = connection.Database.sqlite_version
        else:
            version = f"{connection.pg_version // 10000}.{connection.pg_version % 10000}"
    return [
        f"machine: {cpu}; nproc={len(os.sched_getaffinity(0))}; load average {load}",
        f"python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.release()}; Django {django.get_version()}, "
        f"Wagtail {wagtail.__version__}, feedparser {feedparser.__version__}",
        f"database: {connection.vendor} {version} (CONN_MAX_AGE={database['CONN_MAX_AGE']}); "
        f"settings: DEBUG={settings.DEBUG}, INGEST_MAX_ENTRIES={settings.INGEST_MAX_ENTRIES}, "
        f"INGEST_HOST_DELAY_SECONDS={settings.INGEST_HOST_DELAY_SECONDS}",
    ]


# --- Words --------------------------------------------------------------------------------------

SYLLABLES = """ka ri no ve sta lor men dar tio ber gan sol tre vik mar lun cor pal zen ord ast rel mon tek bra
    dun fel gor hal jen kor lis mab nor pek quin ros sav tul var wen yar zor bel cas dor""".split()  # noqa: SIM905
SECTORS = """Mining|Textiles|Apparel|Energy|Foods|Logistics|Pharma|Steel|Cement|Agro|Palm Oil|Motors
    |Electronics|Fashion|Resources|Petroleum|Bank|Telecom|Construction|Seafood|Timber|Cocoa|Gold|Chemicals
    |Solar|Shipping|Retail|Software|Plantations|Minerals""".replace("\n    ", "").split("|")  # noqa: SIM905
LEGAL_FORMS = """Ltd|plc|Inc.|S.A.|GmbH|AG|S.p.A.|N.V.|B.V.|S.A.S.|Ltda.|LLC|Corp.|Co., Ltd.|Pty Ltd|Tbk
    |Berhad|ASA|AB|SE|Limited|S.A. de C.V.|SARL|Corporation""".replace("\n    ", "").split("|")  # noqa: SIM905
KANA = dict(
    zip(
        "ka ki ku ke ko sa shi su se so ta chi te to na ni no ha hi fu ho ma mi mo ya yu ra ri ru re ro wa".split(),  # noqa: SIM905, E501
        "カキクケコサシスセソタチテトナニノハヒフホマミモヤユラリルレロワ",
        strict=True,
    )
)
JA_SECTORS = [
    ("電機", "Denki", "Electric"),
    ("製作所", "Seisakusho", "Works"),
    ("商事", "Shoji", "Trading"),
    ("鉱業", "Kogyo", "Mining"),
    ("繊維", "Seni", "Textile"),
    ("化学", "Kagaku", "Chemical"),
    ("水産", "Suisan", "Fisheries"),
]
HAN = dict(
    zip(
        "华信金和瑞达海天宏鑫恒隆盛泰安永兴明光新博远东南峰源晨嘉凯鸿",
        "hua xin jin he rui da hai tian hong xin heng long sheng tai an yong xing ming guang xin bo yuan "  # noqa: SIM905
        "dong nan feng yuan chen jia kai hong".split(),
        strict=True,
    )
)
ZH_SECTORS = [
    ("科技", "Technology"),
    ("矿业", "Mining"),
    ("纺织", "Textile"),
    ("能源", "Energy"),
    ("电子", "Electronics"),
    ("食品", "Foods"),
]
CYRILLIC = dict(zip("abcdefghijklmnopqrstuvwyz", "абкдефгхийклмнопкрстуввыз", strict=True)) | {"x": "кс"}
RU_SECTORS = [
    ("Нефть", "Neft"),
    ("Металл", "Metall"),
    ("Энерго", "Energo"),
    ("Строй", "Stroy"),
    ("Агро", "Agro"),
]
AR_ROOTS = [
    ("النور", "Al Nour"),
    ("الرواد", "Al Rowad"),
    ("الأمل", "Al Amal"),
    ("الفجر", "Al Fajr"),
    ("السلام", "Al Salam"),
    ("المتحدة", "Al Muttahida"),
    ("الشرق", "Al Sharq"),
    ("الصحراء", "Al Sahraa"),
    ("الخليج", "Al Khaleej"),
    ("الوطنية", "Al Wataniya"),
]
AR_FAMILIES = [
    ("الحربي", "Al Harbi"),
    ("القحطاني", "Al Qahtani"),
    ("الزهراني", "Al Zahrani"),
    ("العتيبي", "Al Otaibi"),
    ("الشمري", "Al Shammari"),
    ("المطيري", "Al Mutairi"),
    ("الدوسري", "Al Dosari"),
    ("الغامدي", "Al Ghamdi"),
]
AR_SECTORS = [
    ("للمقاولات", "Contracting"),
    ("للتجارة", "Trading"),
    ("للأسمنت", "Cement"),
    ("للصناعات", "Industries"),
    ("للبتروكيماويات", "Petrochemicals"),
]

# (language, feeds): most monitored reporting is in English.
FEED_LANGUAGES = [
    ("en", 26),
    ("es", 3),
    ("fr", 3),
    ("pt", 2),
    ("de", 2),
    ("ja", 2),
    ("ar", 1),
    ("zh-hans", 1),
]
OUTLETS = [
    "Daily Ledger", "Global Labour Wire", "Rights Monitor", "Mining Weekly Review", "Tech Policy Journal",
    "Supply Chain Times", "The Observer Desk", "Harbour Post", "Continental Business", "Green Finance Daily",
    "Evening Courier", "Frontline Reports", "Asia Trade Review", "Africa Extractives", "Metro Standard",
    "World Wire Service", "The Chronicle", "Commodities Insider", "Garment Watch", "Investor Brief",
    "Capital Gazette", "Pacific Herald", "Northern Tribune", "Energy Transition News", "Farm & Forest",
    "Civic Ledger", "Agencia Sur", "El Diario Andino", "Noticias Laborales", "Le Courrier Économique",
    "L'Écho du Sahel", "Info Entreprises", "Folha Operária", "Jornal do Campo", "Wirtschaftsbote",
    "Lieferketten-Monitor", "Nikkei Watch", "労働ニュース", "Gulf Labour News", "中国劳工观察",
]  # fmt: skip
REPORTERS = [
    "Ana Ruiz",
    "John Mensah",
    "Li Wei",
    "Sara Haddad",
    "Tom Becker",
    "Priya Natarajan",
    "Kwame Osei",
]

# News text per language. Every sentence carries several slots ({c} the company as first named,
# {cs} as named after that, {c2} another company, {p} the country, {pl} a city or the country,
# {d} the demonym, {i} and {i2} issue phrases of the lexicon, {n} {N} {pct} {y} numbers, {date},
# {person}, {org}, {g} people, {f} a facility), drawn afresh at each use, so that two reports
# share words but few three-word shingles, as independent news does.
TEXT = {
    "en": {
        "titles": [
            "{cs} accused of {i} at {p} supplier",
            "{p}: workers at {cs} {f} allege {i}",
            "{cs} faces lawsuit over {i} in {p}",
            "Investors press {cs} over {i} claims",
            "{d} regulators open inquiry into {cs}",
            "Report links {cs} and {c2} to {i} in {p}",
            "{cs} denies allegations as protests grow in {pl}",
            "{org} urges {cs} to act on {i}",
            "{cs} suspends {pl} {f} after {i} report",
            "{n} workers fired at {cs} {f} in {pl}, union says",
            "Court in {pl} hears case against {cs} over {i}",
            "{cs} pledges review of {p} suppliers after {org} report",
        ],
        "openings": [
            "Workers at a {c} {f} in {pl} say they have not been paid for {n} months, according to a report "
            "{org} published on {date}.",
            "{org} said on {date} that {c} had failed to address {i} at {n} sites in {p}.",
            "{c} is facing a lawsuit filed in {pl} on {date} over alleged {i} in its {p} supply chain.",
            "Residents of {n} villages near a {c} {f} outside {pl} have accused the company of {i}, {person} "
            "of {org} told reporters.",
            "Shareholders holding {pct} per cent of {c} asked the board on {date} to disclose how it handles "
            "{i} in {p}.",
            "More than {N} {g} employed by suppliers of {c} in {p} have joined a complaint lodged with the "
            "{d} labour ministry on {date}.",
            "A {y} audit seen by this newspaper found {i} at {n} of the {N} sites that supply {c} in {pl}.",
        ],
        "sentences": [
            "The report documents {i} and {i2} affecting at least {N} people in {pl}.",
            "{cs} said in a statement on {date} that it takes the allegations seriously and has opened an "
            "internal investigation.",
            "A spokesperson for {cs}, {person}, declined to comment on the lawsuit.",
            "{org} has documented {i} in the {pl} area since {y}, according to its latest annual report.",
            "The {d} labour ministry said it would send {n} inspectors to the {f} by the end of the month.",
            "Shares of {cs} fell {pct} per cent in early trading after the report on {date}.",
            "{c2}, which buys from the same suppliers in {p}, said it had not been informed.",
            "{person}, a community leader in {pl}, said the talks left out the {N} people most affected.",
            "Unions representing {g} in {pl} called for an independent audit and redress for {n} families.",
            "{cs} said it had strengthened its supplier code of conduct in {y} and trained {N} managers.",
            "Researchers interviewed {N} {g} across {n} sites in {p} between {y} and {date}.",
            "Lawyers for the {n} plaintiffs, led by {person}, said they would seek damages of {N} million "
            "dollars.",
            "{person}, who worked at the {f} for {n} years, said supervisors had threatened those who "
            "complained.",
            "The company's {y} sustainability report does not mention its operations in {pl}.",
            "{org} said it had written to {cs} on {date} and received no reply.",
            "Police in {pl} detained {n} protesters outside the {f} on {date}, according to {org}.",
        ],
        "update": "This article was updated on {date} with a response from {cs}.",
        "credit": "(Reporting by {r}; editing by {e})",
        "groups": ["workers", "residents", "farmworkers", "miners", "garment workers", "contract workers"],
        "facilities": ["factory", "mine", "plantation", "warehouse", "refinery", "data centre", "smelter"],
        "months": "January February March April May June July August September October November December",
        "date": "{day} {month}",
        "orgs": (
            "Fair Clean Just Open Green Common Free Global".split(),  # noqa: SIM905
            [
                "Labour Network",
                "Rights Watch",
                "Earth Alliance",
                "Supply Chain Project",
                "Workers' Centre",
                "Land Coalition",
                "Water Forum",
            ],
        ),  # fmt: skip
    },
    "es": {
        "titles": [
            "{cs}, acusada de {i} en {p}",
            "{p}: trabajadores de {cs} denuncian {i}",
            "Demandan a {cs} por {i} en {pl}",
            "{org} pide a {cs} que responda por {i}",
        ],
        "openings": [
            "Trabajadores de una {f} de {c} en {pl} denunciaron el {date} que llevan {n} meses sin cobrar, "
            "según un informe de {org}.",
            "{org} acusó el {date} a {c} de no atender los casos de {i} en {n} centros de {p}.",
            "Un juzgado de {pl} admitió el {date} una demanda contra {c} por {i} en su cadena de suministro.",
        ],
        "sentences": [
            "El informe documenta casos de {i} que afectan a al menos {N} personas en {pl}.",
            "{cs} afirmó en un comunicado del {date} que investiga las denuncias.",
            "{person}, portavoz de {cs}, declinó hacer comentarios.",
            "{org} registra casos de {i} en la región de {pl} desde {y}.",
            "Según {person}, dirigente sindical en {pl}, unos {N} {g} se han sumado a la queja.",
            "El ministerio de Trabajo de {p} enviará {n} inspectores a la {f} antes de fin de mes.",
            "Los abogados de las {n} familias reclaman una indemnización de {N} millones de dólares.",
        ],
        "update": "Actualización del {date}: {cs} respondió a las preguntas de este medio.",
        "credit": "(Información de {r})",
        "groups": ["trabajadores", "vecinos", "jornaleros", "mineros", "costureras"],
        "facilities": ["fábrica", "mina", "plantación", "planta", "refinería", "maquila"],
        "months": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
        "date": "{day} de {month}",
    },
    "fr": {
        "titles": [
            "{p} : {cs} accusée de {i}",
            "Des ONG accusent {cs} de {i}",
            "Plainte contre {cs} pour {i} à {pl}",
            "{org} interpelle {cs} sur {i}",
        ],
        "openings": [
            "Des ouvriers d'une {f} de {c} à {pl} affirment ne pas avoir été payés depuis {n} mois, selon un "
            "rapport publié le {date} par {org}.",
            "{org} a accusé le {date} {c} de ne pas traiter les cas de {i} sur {n} sites ({p}).",
            "Un tribunal de {pl} a été saisi le {date} d'une plainte contre {c} pour {i} dans sa chaîne "
            "d'approvisionnement.",
        ],
        "sentences": [
            "Le rapport recense des cas de {i} touchant au moins {N} personnes à {pl}.",
            "{cs} affirme dans un communiqué du {date} avoir ouvert une enquête interne.",
            "{person}, porte-parole de {cs}, n'a pas souhaité commenter.",
            "{org} documente des cas de {i} dans la région de {pl} depuis {y}.",
            "Selon {person}, syndicaliste à {pl}, quelque {N} {g} ont rejoint la plainte.",
            "Le ministère du Travail ({p}) va dépêcher {n} inspecteurs sur le site d'ici la fin du mois.",
            "Les avocats des {n} familles réclament {N} millions de dollars de dommages et intérêts.",
        ],
        "update": "Mise à jour le {date} avec la réponse de {cs}.",
        "credit": "(Avec {r})",
        "groups": ["ouvriers", "riverains", "mineurs", "saisonniers", "ouvrières"],
        "facilities": ["usine", "mine", "plantation", "raffinerie", "filature"],
        "months": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
        "date": "{day} {month}",
    },
    "pt": {
        "titles": [
            "{cs} é acusada de {i} em {p}",
            "{p}: trabalhadores da {cs} denunciam {i}",
            "Justiça de {pl} aceita ação contra {cs} por {i}",
        ],
        "openings": [
            "Trabalhadores de uma {f} da {c} em {pl} dizem estar há {n} meses sem salário, segundo relatório "
            "divulgado em {date} pela {org}.",
            "A {org} acusou em {date} a {c} de ignorar casos de {i} em {n} unidades ({p}).",
            "Uma ação movida em {pl} no dia {date} acusa a {c} de {i} em sua cadeia de fornecimento.",
        ],
        "sentences": [
            "O relatório documenta casos de {i} que afetam pelo menos {N} pessoas em {pl}.",
            "A {cs} disse em nota de {date} que investiga as denúncias.",
            "{person}, porta-voz da {cs}, não quis comentar.",
            "A {org} registra casos de {i} na região de {pl} desde {y}.",
            "Segundo {person}, dirigente sindical em {pl}, cerca de {N} {g} aderiram à denúncia.",
            "Os advogados das {n} famílias pedem indenização de {N} milhões de dólares.",
        ],
        "update": "Atualização em {date}: a {cs} respondeu às perguntas da reportagem.",
        "credit": "(Reportagem de {r})",
        "groups": ["trabalhadores", "moradores", "mineiros", "costureiras"],
        "facilities": ["fábrica", "mina", "fazenda", "usina", "refinaria"],
        "months": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
        "date": "{day} de {month}",
    },
    "de": {
        "titles": [
            "{cs} wegen {i} in {p} in der Kritik",
            "Vorwürfe gegen {cs}: {i} in {pl}",
            "Klage gegen {cs} in {pl} eingereicht",
        ],
        "openings": [
            "Beschäftigte eines Werks von {c} in {pl} haben nach einem am {date} veröffentlichten Bericht "
            "von {org} seit {n} Monaten keinen Lohn erhalten.",
            "{org} hat {c} am {date} vorgeworfen, Fälle von {i} an {n} Standorten in {p} zu ignorieren.",
            "Vor einem Gericht in {pl} ist am {date} eine Klage gegen {c} wegen {i} in der Lieferkette "
            "eingegangen.",
        ],
        "sentences": [
            "Der Bericht dokumentiert {i} bei mindestens {N} Menschen in {pl}.",
            "{cs} erklärte am {date}, man nehme die Vorwürfe ernst und prüfe sie intern.",
            "Eine Sprecherin von {cs}, {person}, wollte sich nicht äußern.",
            "{org} dokumentiert seit {y} Fälle von {i} in der Region {pl}.",
            "Nach Angaben von {person}, Gewerkschafter in {pl}, haben sich rund {N} {g} der Beschwerde "
            "angeschlossen.",
            "Die Anwälte der {n} Familien fordern {N} Millionen Dollar Schadenersatz.",
        ],
        "update": "Aktualisiert am {date} mit einer Stellungnahme von {cs}.",
        "credit": "(Bericht: {r})",
        "groups": ["Arbeiter", "Anwohner", "Bergleute", "Näherinnen"],
        "facilities": ["Fabrik", "Mine", "Plantage", "Raffinerie"],
        "months": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
        "date": "{day}. {month}",
    },
    "ja": {
        "titles": [
            "{cs}、{p}の工場で{i}の疑い",
            "{p}：{cs}に{i}問題、{org}が報告書",
            "{cs}を提訴　{pl}の住民{N}人",
        ],
        "openings": [
            "{org}は{date}、{p}にある{c}の工場で労働者が{n}か月間賃金を受け取っていないとする報告書を公表した。",
            "{pl}の住民{N}人は{date}、{c}を相手取り{i}をめぐる訴えを起こした。",
            "{c}の{p}の取引先{n}社で{i}が確認されたと、{org}が{date}に発表した。",
        ],
        "sentences": [
            "報告書によると、少なくとも{N}人が{i}の影響を受けている。",
            "{cs}の広報担当の{person}氏は「調査中」と述べた。",
            "{org}は{y}年以降、{pl}周辺で{i}の事例を記録している。",
            "{pl}の労働組合の{person}氏によると、約{N}人の{g}が申し立てに加わった。",
            "原告側の弁護士は{N}万ドルの損害賠償を求めている。",
            "{p}の労働省は月末までに{n}人の監督官を派遣すると表明した。",
            "{pl}で働く{person}さん（{n}歳）は、残業代が{N}円しか払われなかったと話す。",
            "同社は{y}年に人権方針を定めたが、{p}の下請け{n}社は対象外だった。",
            "{org}の{person}代表は「{cs}は{date}までに回答すべきだ」と語った。",
            "{date}には{pl}の工場前で約{N}人が抗議集会を開いた。",
        ],
        "update": "{date}、{cs}の回答を追記しました。",
        "credit": "（{o}）",
        "groups": ["労働者", "技能実習生", "住民", "従業員"],
        "date": "{m}月{day}日",
        "people": (
            "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田",
            "健太 美咲 翔 陽菜 大輔 彩 拓也 結衣 直樹",
        ),
        "orgs": ("人権 労働 環境 アジア 国際".split(), "ウォッチ ネットワーク センター フォーラム".split()),  # noqa: SIM905
    },
    "zh-hans": {
        "titles": ["{cs}被指在{p}存在{i}问题", "{p}：{cs}涉嫌{i}，{org}发布报告", "{pl}{N}名村民起诉{cs}"],
        "openings": [
            "{org}于{date}发布报告称，{c}在{p}的工厂拖欠{n}个月工资。",
            "{pl}的{N}名村民于{date}起诉{c}，指其存在{i}。",
            "{org}{date}表示，{c}在{p}的{n}家供应商存在{i}问题。",
        ],
        "sentences": [
            "报告显示，至少{N}人受到{i}影响。",
            "{cs}发言人{person}表示公司正在调查。",
            "{org}自{y}年以来一直记录{pl}地区的{i}案例。",
            "据{pl}工会负责人{person}介绍，约{N}名{g}加入了投诉。",
            "原告律师要求{N}万美元赔偿。",
            "{p}劳动部表示将在月底前派出{n}名检查员。",
            "在{pl}工作了{n}年的{person}说，主管曾威胁投诉的工人。",
            "该公司{y}年发布的可持续发展报告没有提及{p}业务。",
            "{date}，约{N}人在{pl}工厂外抗议。",
        ],
        "update": "{date}更新：补充了{cs}的回应。",
        "credit": "（来源：{o}）",
        "groups": ["工人", "村民", "员工", "矿工"],
        "date": "{m}月{day}日",
        "people": ("王 李 张 刘 陈 杨 黄 赵 吴 周", "伟 芳 娜 敏 静 磊 强 洋 艳 军"),
        "orgs": ("中国 亚洲 环境 劳工 人权".split(), "观察 网络 中心 论坛".split()),  # noqa: SIM905
    },
    "ar": {
        "titles": [
            "{p}: اتهامات لـ{cs} بشأن {i}",
            "{org} تتهم {cs} بـ{i} في {pl}",
            "دعوى قضائية ضد {cs} في {pl}",
        ],
        "openings": [
            "قال عمال في مصنع تابع لـ{c} في {pl} إنهم لم يتقاضوا أجورهم منذ {n} أشهر، "
            "وفق تقرير نشرته {org} في {date}.",
            "اتهمت {org} في {date} شركة {c} بتجاهل حالات {i} في {n} مواقع في {p}.",
            "رفع {N} من سكان {pl} في {date} دعوى ضد {c} بسبب {i}.",
        ],
        "sentences": [
            "ويوثق التقرير حالات {i} طالت {N} شخصاً على الأقل في {pl}.",
            "وقال المتحدث باسم {cs}، {person}، إن الشركة تحقق في الاتهامات.",
            "وتوثق {org} حالات {i} في منطقة {pl} منذ عام {y}.",
            "وبحسب {person}، وهو نقابي في {pl}، انضم نحو {N} من {g} إلى الشكوى.",
            "ويطالب محامو {n} عائلات بتعويض قدره {N} مليون دولار.",
        ],
        "update": "تم تحديث هذا الخبر في {date} برد من {cs}.",
        "credit": "(المصدر: {o})",
        "groups": ["العمال", "السكان", "العمال المهاجرين"],
        "months": "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر",
        "date": "{day} {month}",
        "people": (
            "أحمد محمد علي خالد فاطمة مريم يوسف عمر سارة ليلى",
            "الحسن العلي الخطيب النجار الصالح الحداد",
        ),
        "orgs": (
            ["منظمة"],
            ["العدالة للرصد", "الحقوق الدولية", "كرامة العمال", "البيئة والتنمية", "الشفافية"],
        ),
    },
}
# (given names, family names) for Latin-script text.
PEOPLE = (
    "Maria Ahmed Chen Fatima João Aisha Pierre Nguyen Olga Kofi Lucia Rahul Amara Diego Ingrid Yusuf",
    "Okafor Silva Haddad Müller Tanaka Kowalski Mensah Rossi Dubois Otieno Castillo Andersen Rahman",
)
UNSPACED_LANGUAGES = {"ja", "zh-hans"}


# --- The register -------------------------------------------------------------------------------


@dataclass
class Company:
    """A company of the register, and how news names it."""

    name: str  # as registered, in Latin script: how Latin-script news first names it
    script: str  # "latin", "ja", "zh", "ru", "ar"
    native: str = ""  # how news in its own script names it
    aliases: list[tuple[str, str]] = field(default_factory=list)  # (name, kind)
    pk: int = 0

    @property
    def bare(self) -> str:
        """The name without its legal form."""
        return " ".join(w for w in self.name.split() if w.rstrip(".,") not in _LEGAL_WORDS)

    @property
    def short(self) -> str:
        """How news names it after the first time: its one-word brand, else its bare name."""
        return next((n for n, kind in self.aliases if kind == "alias" and " " not in n), self.bare)


class Picker:
    """Zipf-weighted choice: a few items come up every day, most rarely."""

    def __init__(self, items: list, exponent: float = 0.9) -> None:
        self.items = items
        self.cumulative = list(itertools.accumulate(1 / rank**exponent for rank in range(1, len(items) + 1)))

    def pick(self, rng: random.Random):
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def _root(rng: random.Random, taken: set[str], syllables: list[str], low: int = 2, high: int = 3) -> str:
    while True:
        root = "".join(rng.choice(syllables) for _ in range(rng.randint(low, high)))
        if root not in taken:
            taken.add(root)
            return root


def make_companies(rng: random.Random, count: int, avoid: set[str]) -> list[Company]:
    """The register: 88 % Latin-script names, the rest Japanese, Chinese, Russian and Arabic
    companies registered under a Latin name with their own script's name as an alias."""
    taken, made = set(avoid), []
    kana = list(KANA)
    for n in range(count):
        share = n % 100
        if share < 4:
            while True:
                syllables = [rng.choice(kana) for _ in range(rng.randint(2, 3))]
                root = "".join(syllables)
                if root not in taken:
                    taken.add(root)
                    break
            ja, romaji, english = rng.choice(JA_SECTORS)
            native = "".join(KANA[s] for s in syllables) + ja
            company = Company(f"{root.capitalize()} {romaji} K.K.", "ja", native)
            company.aliases = [
                (f"{native}株式会社", "alias"),
                (f"{root.capitalize()} {english} Co., Ltd.", "alias"),
            ]
        elif share < 7:
            while True:
                chars = "".join(rng.sample(list(HAN), 2))
                zh, english = rng.choice(ZH_SECTORS)
                if chars + zh not in taken:
                    taken.add(chars + zh)
                    break
            pinyin = "".join(HAN[c] for c in chars).capitalize()
            company = Company(f"{pinyin} {english} Co., Ltd.", "zh", chars + zh)
            company.aliases = [(f"{chars}{zh}有限公司", "alias"), (f"{pinyin} {english}", "alias")]
        elif share < 10:
            root = _root(rng, taken, SYLLABLES)
            ru, latin = rng.choice(RU_SECTORS)
            cyrillic = "".join(CYRILLIC.get(c, c) for c in root).capitalize()
            company = Company(f"{root.capitalize()} {latin} PJSC", "ru")
            company.aliases = [(f"ПАО «{cyrillic} {ru}»", "alias")]
        elif share < 12:
            while True:
                (ar_root, latin_root), (family, latin_family) = rng.choice(AR_ROOTS), rng.choice(AR_FAMILIES)
                ar_sector, latin_sector = rng.choice(AR_SECTORS)
                if (ar_root, family, ar_sector) not in taken:
                    taken.add((ar_root, family, ar_sector))
                    break
            native = f"{ar_root} {family}"
            company = Company(f"{latin_root} {latin_family} {latin_sector} Co. W.L.L.", "ar", native)
            company.aliases = [(f"شركة {native} {ar_sector} المحدودة", "alias")]
        else:
            root = _root(rng, taken, SYLLABLES).capitalize()
            bare = f"{root} {rng.choice(SECTORS)}" if rng.random() < 0.7 else root
            company = Company(f"{bare} {rng.choice(LEGAL_FORMS)}", "latin")
            if rng.random() < 0.15 and bare != root:
                company.aliases.append((root, "alias"))  # the brand everyone uses
            if rng.random() < 0.07:
                former = _root(rng, taken, SYLLABLES).capitalize()
                company.aliases.append(
                    (f"{former} {rng.choice(SECTORS)} {rng.choice(LEGAL_FORMS)}", "former")
                )
        made.append(company)
    return made


_LEGAL_WORDS = set(
    "Ltd plc Inc S.A GmbH AG S.p.A N.V B.V S.A.S Ltda LLC Corp Co Pty Tbk Berhad ASA AB SE Limited "  # noqa: SIM905
    "de C.V SARL Corporation K.K PJSC W.L.L".split()
)


def load_register(companies: list[Company]) -> None:
    from django.db import transaction
    from django.utils.text import slugify

    from resourcecentre.companies.models import Company as CompanyModel
    from resourcecentre.companies.models import CompanyName

    with transaction.atomic():
        rows = CompanyModel.objects.bulk_create(
            [CompanyModel(name=c.name, slug=f"{slugify(c.name)[:200]}-{n}") for n, c in enumerate(companies)],
            batch_size=BATCH,
        )
        for company, row in zip(companies, rows, strict=True):
            company.pk = row.pk
        CompanyName.objects.bulk_create(
            [
                CompanyName(company_id=c.pk, name=name, kind=kind, sort_order=order)
                for c in companies
                for order, (name, kind) in enumerate(c.aliases)
            ],
            batch_size=BATCH,
        )


# --- Places and issues ----------------------------------------------------------------------------


@dataclass
class Place:
    pk: int
    names: dict[str, str]  # language -> name
    demonym: str
    places: dict[str, list[str]]  # language -> capitals and major places

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]

    def place(self, rng: random.Random, language: str) -> str:
        """A city or region, or the country itself; English names serve every Latin-script language."""
        places = self.places.get(language) or (
            [] if language in UNSPACED_LANGUAGES | {"ar"} else self.places.get("en")
        )
        return rng.choice(places) if places and rng.random() < 0.6 else self.name(language)


def load_places(rng: random.Random) -> list[Place]:
    from resourcecentre.ingest.tagging import COUNTRIES_FILE
    from resourcecentre.taxonomy.models import Country

    table = json.loads(COUNTRIES_FILE.read_text(encoding="utf-8"))["countries"]
    places = []
    for pk, code in Country.objects.order_by("code").values_list("pk", "code"):
        row = table.get(code)
        if not row or not row.get("demonyms", {}).get("en"):
            continue
        # The shortest form is the everyday one ("Yemen", not "Republic of Yemen").
        names = {language: min(forms, key=len) for language, forms in row["names"].items() if forms}
        if "en" not in names:
            continue
        places.append(Place(pk, names, row["demonyms"]["en"][0], row.get("places", {})))
    rng.shuffle(places)
    return places


def load_issue_phrases() -> dict[str, list[tuple[int, str]]]:
    """(issue id, phrase) per language, from the lexicon the migrations install."""
    from resourcecentre.ingest.models import IssueKeyword
    from resourcecentre.taxonomy.models import Issue

    phrases = defaultdict(list)
    for issue_id, language, phrase in IssueKeyword.objects.values_list("issue_id", "language", "phrase"):
        if "{" not in phrase and "*" not in phrase:
            phrases[language].append((issue_id, phrase))
    for issue_id, name in Issue.objects.values_list("pk", "name"):
        phrases["en"].append((issue_id, name.lower()))
    return phrases


# --- Articles -----------------------------------------------------------------------------------


@dataclass
class Article:
    number: int  # the story it reports; copies share their original's
    feed: int
    language: str
    title: str
    sentences: list[str]
    url: str
    published: datetime.datetime
    author: str
    slots: "Slots"
    kind: str = "original"  # or "tracking", "wire", "update"


class Slots(dict):
    """The fixed slots of one article; every other slot is drawn afresh at each use."""

    def __init__(self, fixed: dict, rng: random.Random, language: str, writer: "Writer") -> None:
        super().__init__(fixed)
        self.rng, self.language, self.writer = rng, language, writer

    def __missing__(self, key: str):
        rng, text = self.rng, TEXT[self.language]
        match key:
            case "n":
                return rng.randint(2, 40)
            case "N":
                return rng.randint(50, 9000)
            case "pct":
                return rng.randint(2, 15)
            case "y":
                return rng.randint(2009, 2025)
            case "i2":
                return self.writer.issue(self.language)
            case "g":
                return rng.choice(text["groups"])
            case "f":
                return rng.choice(text.get("facilities") or [""])
            case "date":
                month = rng.randint(1, 12)
                names = text.get("months", "").split()
                return text["date"].format(
                    day=rng.randint(1, 28), m=month, month=names[month - 1] if names else ""
                )
            case "person":
                first, last = text.get("people", PEOPLE)
                joiner = "" if self.language in UNSPACED_LANGUAGES else " "
                return joiner.join((rng.choice(first.split()), rng.choice(last.split())))
            case "org":
                first, second = text.get("orgs", TEXT["en"]["orgs"])
                joiner = "" if self.language in UNSPACED_LANGUAGES else " "
                return joiner.join((rng.choice(first), rng.choice(second)))
        raise KeyError(key)


class Writer:
    """News entries in eight languages about companies of the register."""

    def __init__(self, rng, companies, places, phrases) -> None:
        self.rng = rng
        self.companies = Picker(companies)
        by_script = defaultdict(list)
        for company in companies:
            by_script[company.script].append(company)
        self.by_script = {script: Picker(items) for script, items in by_script.items()}
        self.places = Picker(places, 0.8)
        self.phrases = phrases

    def company(self, language: str) -> Company:
        script = _script_of(language)
        if script != "latin" and self.rng.random() < 0.5:
            return self.by_script[script].pick(self.rng)
        return self.companies.pick(self.rng)

    def issue(self, language: str) -> str:
        return self.rng.choice(self.phrases.get(language) or self.phrases["en"])[1]

    def article(
        self, language: str, company: Company | None = None, place: Place | None = None
    ) -> tuple[str, list[str], Slots]:
        """A headline and two to five sentences, and the article's slots (for its updates)."""
        rng, text = self.rng, TEXT[language]
        company, other = company or self.company(language), self.company(language)
        place = place or self.places.pick(rng)
        own_script = company.native and _script_of(language) == company.script
        slots = Slots(
            {
                "c": company.native if own_script else company.name,
                "cs": company.native if own_script else rng.choice([company.short, company.bare]),
                "c2": other.native if other.native and _script_of(language) == other.script else other.name,
                "p": place.name(language),
                "pl": place.place(rng, language),
                "d": place.demonym,
                "i": self.issue(language),
            },
            rng,
            language,
            self,
        )
        title = rng.choice(text["titles"]).format_map(slots)
        sentences = [rng.choice(text["openings"]).format_map(slots)]
        sentences += [s.format_map(slots) for s in rng.sample(text["sentences"], rng.randint(1, 4))]
        return title[:1].upper() + title[1:], sentences, slots


def _script_of(language: str) -> str:
    return {"ja": "ja", "zh-hans": "zh", "ar": "ar"}.get(language, "latin")


@dataclass
class FeedSpec:
    number: int
    name: str
    language: str
    atom: bool
    content: bool  # carries the full text (content:encoded, Atom content) besides the summary
    articles: list[Article] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"/feeds/{self.number}.{'atom' if self.atom else 'rss'}"

    @property
    def host(self) -> str:
        return "".join(c for c in self.name.lower() if c.isascii() and c.isalnum()) or f"outlet{self.number}"


def make_feeds(writer: Writer, feeds: int, entries: int, duplicates: float) -> list[FeedSpec]:
    """Feeds of `entries // feeds` entries each, newest first; `duplicates` of the entries are
    copies of an article of another feed of the same language (relayed with tracking parameters,
    or rewritten wire copy) or an update of one of the feed's own."""
    rng = writer.rng
    languages = [language for language, n in FEED_LANGUAGES for _ in range(n)]
    specs = [
        FeedSpec(
            i, OUTLETS[i % len(OUTLETS)], languages[i % len(languages)], atom=i % 4 == 3, content=i % 5 == 2
        )
        for i in range(feeds)
    ]
    per_feed = entries // feeds
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    slots = [(spec.number, i) for spec in specs for i in range(per_feed)]
    copies = set(rng.sample(range(len(slots)), int(len(slots) * duplicates)))
    originals: dict[int, list[Article]] = defaultdict(list)
    number = 0
    for index, (feed_number, _) in enumerate(slots):
        if index in copies:
            continue
        spec = specs[feed_number]
        title, sentences, article_slots = writer.article(spec.language)
        article = Article(
            number,
            feed_number,
            spec.language,
            title,
            sentences,
            f"https://{spec.host}.example/news/{number}/{_slug(title)}",
            now - datetime.timedelta(seconds=rng.randint(3600, 7 * 86400)),
            rng.choice(REPORTERS),
            article_slots,
        )
        spec.articles.append(article)
        originals[feed_number].append(article)
        number += 1
    by_language = defaultdict(list)
    for spec in specs:
        by_language[spec.language].append(spec.number)
    urls = {(spec.number, a.url) for spec in specs for a in spec.articles}
    for index in sorted(copies):
        spec = specs[slots[index][0]]
        others = [n for n in by_language[spec.language] if n != spec.number and originals[n]]
        while True:  # a feed carries one copy of an article: the same address twice is one entry
            kind = rng.choices(["tracking", "wire", "update"], [40, 45, 15])[0] if others else "update"
            source = rng.choice(originals[rng.choice(others)] if kind != "update" else originals[spec.number])
            copy = copy_of(rng, source, spec, kind)
            if (spec.number, copy.url) not in urls:
                break
        urls.add((spec.number, copy.url))
        spec.articles.append(copy)
    for spec in specs:
        spec.articles.sort(key=lambda a: a.published, reverse=True)
    return specs


_US_DATE = re.compile(
    r" (\d{1,2}) (January|February|March|April|May|June|July|August|September|October|November|December)\b"
)


def _slug(title: str) -> str:
    return urllib.parse.quote("-".join(title.lower().split()[:6])[:60])


def copy_of(rng: random.Random, original: Article, spec: FeedSpec, kind: str) -> Article:
    later = original.published + datetime.timedelta(minutes=rng.randint(20, 12 * 60))
    text = TEXT[spec.language]
    copy = dataclasses.replace(original, feed=spec.number, published=later, kind=kind)
    if kind == "tracking":
        copy.url = f"{original.url}?utm_source=rss&utm_medium=feed&utm_campaign={spec.host}"
    elif kind == "update":
        copy.url = f"{original.url}-updated"
        copy.sentences = [*original.sentences, text["update"].format_map(original.slots)]
    else:
        # Wire copy: the outlet's own headline, house style, a sentence cut, a credit line.
        sentences = [
            _US_DATE.sub(r" \2 \1", s).replace(" per cent", " percent") if spec.language == "en" else s
            for s in original.sentences
        ]
        if len(sentences) >= 4:
            del sentences[rng.randrange(2, len(sentences))]
        sentences.append(text["credit"].format(r=rng.choice(REPORTERS), e=rng.choice(REPORTERS), o=spec.name))
        if spec.language == "en":
            copy.title = " ".join(original.title.split()[:-1]) + rng.choice([", report says", " – NGOs", ""])
        else:
            copy.title = f"{original.title} ({spec.name})"
        copy.url = f"https://{spec.host}.example/wire/{original.number}/{_slug(copy.title)}"
        copy.sentences, copy.author = sentences, ""
    return copy


def render(spec: FeedSpec, base: str) -> bytes:
    """The feed's document: RSS 2.0 or Atom, summaries as escaped HTML, some with the full text."""
    joiner = "" if spec.language in UNSPACED_LANGUAGES else " "
    items = []
    for a in spec.articles:
        summary = f"<p>{escape(joiner.join(a.sentences[:2] if spec.content else a.sentences))}</p>"
        content = "".join(f"<p>{escape(s)}</p>" for s in a.sentences)
        if spec.atom:
            items.append(
                f'<entry><title type="html">{escape(escape(a.title))}</title>'
                f'<link rel="alternate" href={quoteattr(a.url)}/><id>{escape(a.url)}</id>'
                f"<published>{a.published.isoformat()}</published><updated>{a.published.isoformat()}</updated>"
                f"<author><name>{escape(a.author or spec.name)}</name></author>"
                f'<summary type="html">{escape(summary)}</summary>'
                + (f'<content type="html">{escape(content)}</content>' if spec.content else "")
                + "</entry>"
            )
        else:
            items.append(
                f"<item><title>{escape(a.title)}</title><link>{escape(a.url)}</link>"
                f'<guid isPermaLink="true">{escape(a.url)}</guid>'
                f"<pubDate>{email.utils.format_datetime(a.published)}</pubDate>"
                + (f"<dc:creator>{escape(a.author)}</dc:creator>" if a.author else "")
                + f"<category>{escape(spec.name)}</category><description>{escape(summary)}</description>"
                + (f"<content:encoded><![CDATA[{content}]]></content:encoded>" if spec.content else "")
                + "</item>"
            )
    if spec.atom:
        head = (
            f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
            f'xml:lang="{spec.language}"><title>{escape(spec.name)}</title>'
            f'<link rel="self" href="{base}{spec.path}"/><id>{base}{spec.path}</id>'
            f"<updated>{spec.articles[0].published.isoformat()}</updated>"
        )
        return (head + "\n".join(items) + "</feed>").encode()
    head = (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel><title>{escape(spec.name)}</title><link>https://{spec.host}.example/</link>"
        f"<description>News from {escape(spec.name)}</description><language>{spec.language}</language>"
    )
    return (head + "\n".join(items) + "</channel></rss>").encode()


# --- Stories ------------------------------------------------------------------------------------


def load_stories(writer: Writer, companies: list[Company], count: int) -> int:
    """`count` published stories, each about one of the most-mentioned companies, with a country,
    one or two issues and three to eight published components; returns the components made."""
    from django.db import transaction
    from django.utils import timezone

    from resourcecentre.news.models import Component, ComponentType, Story, StoryComponent

    rng = writer.rng
    now = timezone.now()
    today = timezone.localdate()
    article_type = ComponentType.objects.get(slug="article").pk
    issues = sorted({issue_id for issue_id, _ in writer.phrases["en"]})
    stories, components, links, tags = [], [], [], defaultdict(list)
    top = companies[: max(count * 3, 1)]
    for n in range(count):
        company = top[min(int(rng.paretovariate(1.0)) - 1, len(top) - 1)] if n % 2 else top[n % len(top)]
        place = writer.places.pick(rng)
        date = today - datetime.timedelta(days=rng.randint(0, 90))
        _, sentences, _ = writer.article("en", company, place)
        headline = f"{place.name('en')}: {company.short} accused of {writer.issue('en')}"
        stories.append(
            Story(
                headline=headline[:500],
                slug=f"bench-story-{n}",
                summary=f"<p>{' '.join(sentences[:2])}</p>",
                date=date,
                language="en",
                live=True,
                first_published_at=now,
                last_published_at=now,
            )
        )
        tags["companies"].append((n, company.pk))
        tags["countries"].append((n, place.pk))
        for issue_id in rng.sample(issues, rng.randint(1, 2)):
            tags["issues"].append((n, issue_id))
        for k in range(rng.randint(3, 8)):
            title, sentences, _ = writer.article("en", company, place if rng.random() < 0.7 else None)
            links.append((n, len(components), k))
            components.append(
                Component(
                    title=title[:500],
                    slug=f"bench-c-{n}-{k}",
                    type_id=article_type,
                    date=date - datetime.timedelta(days=rng.randint(0, 60)),
                    language="en",
                    url=f"https://archive.example/{n}/{k}",
                    excerpt=f"<p>{' '.join(sentences)}</p>",
                    live=True,
                    first_published_at=now,
                    last_published_at=now,
                )
            )
    with transaction.atomic():
        stories = Story.objects.bulk_create(stories, batch_size=BATCH)
        components = Component.objects.bulk_create(components, batch_size=BATCH)
        StoryComponent.objects.bulk_create(
            [StoryComponent(story=stories[s], component=components[c], sort_order=k) for s, c, k in links],
            batch_size=BATCH,
        )
        for kind, column in (
            ("companies", "company_id"),
            ("countries", "country_id"),
            ("issues", "issue_id"),
        ):
            through = getattr(Story, kind).through
            through.objects.bulk_create(
                [through(story_id=stories[s].pk, **{column: pk}) for s, pk in tags[kind]],
                batch_size=BATCH,
                ignore_conflicts=True,
            )
    return len(components)


def analyze_loaded_tables() -> None:
    """Gather the planner's statistics of the bulk-loaded tables, as autovacuum would soon after.

    Not of the tables the pipeline fills: analysed while empty, with autovacuum off (as on the
    benchmark machine), they would keep statistics of zero rows for the whole run, and every
    deferred foreign-key check at commit would scan its table (18 ms per entry at 20,000
    candidates instead of 0.5 ms)."""
    from django.apps import apps
    from django.db import connection

    from resourcecentre.ingest.models import Candidate, Entry, SuggestedTag, TextBand

    filled = {model._meta.db_table for model in (Candidate, Entry, SuggestedTag, TextBand)}
    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)} - filled
    with connection.cursor() as cursor:
        for table in sorted(tables):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


# --- The feed server ----------------------------------------------------------------------------


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = self.server.bodies.get(self.path)
        if body is None:
            status, body, content_type = 404, b"Not found", "text/plain"
        else:
            content_type = "application/atom+xml" if self.path.endswith(".atom") else "application/rss+xml"
            status = 200
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class FeedServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.bodies: dict[str, bytes] = {}

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


# --- Step timers --------------------------------------------------------------------------------

# (label, module path, attribute): each row is the function's own time, without nested rows.
STEPS = [
    ("fetch: robots.txt check, HTTP GET of the feed", "resourcecentre.ingest.fetching", "polite_fetch"),
    ("1 parse: decode, defuse, normalise entries", "resourcecentre.ingest.fetching", "parse_feed"),
    ("1 parse: feedparser.parse", "feedparser", "parse"),
    ("1 canonical URL (courlan)", "resourcecentre.ingest.services", "canonical_url"),
    ("entry_ingest: Entry insert", "resourcecentre.ingest.services", "entry_ingest"),
    ("1 seen check, once per feed", "resourcecentre.ingest.services", "_seen_guids"),
    ("3 language", "resourcecentre.ingest.services", "detect_language"),
    ("4 tags: Tagger.tag", "resourcecentre.ingest.tagging:Tagger", "tag"),
    ("4 tags: store suggested tags", "resourcecentre.ingest.services", "_tags_save"),
    ("new candidate: insert", "resourcecentre.ingest.services", "_candidate_insert"),
    ("5 dedup: title key", "resourcecentre.ingest.services", "title_key"),
    ("5 dedup: text bands (MinHash LSH)", "resourcecentre.ingest.services", "text_bands"),
    ("5 dedup: layer 1, same URL", "resourcecentre.ingest.dedup", "_same_url"),
    ("5 dedup: layer 2, same title", "resourcecentre.ingest.dedup", "_same_title"),
    ("5 dedup: layer 3, similar text", "resourcecentre.ingest.dedup", "_same_text"),
    ("5 dedup: find_duplicate itself", "resourcecentre.ingest.services", "find_duplicate"),
    ("5 dedup: save bands", "resourcecentre.ingest.services", "save_bands"),
    ("6 story (suggest_story)", "resourcecentre.ingest.services", "suggest_story"),
    ("health record (record_success)", "resourcecentre.ingest.services", "record_success"),
]
COMMIT = "commit (of each batch of entries)"
OTHER = "other: feed_run and poll_feed themselves, get_tagger checks"


@dataclass
class Step:
    calls: int = 0
    hits: int = 0  # calls that returned something (the dedup layers)
    own: float = 0.0
    cpu: float = 0.0
    sql: float = 0.0
    queries: int = 0


class Timers:
    """Wrappers around the pipeline's functions; each call's wall and CPU time, less its nested
    calls', goes to its row, and the time of each SQL query to the row running it."""

    def __init__(self) -> None:
        self.steps: dict[str, Step] = defaultdict(Step)
        self.stack: list[list] = []  # [label, wall time in nested calls, CPU time in nested calls]
        self.patched: list[tuple[object, str, object]] = []

    def install(self) -> None:
        import importlib

        for label, path, attribute in STEPS:
            module_path, _, class_name = path.partition(":")
            owner = importlib.import_module(module_path)
            if class_name:
                owner = getattr(owner, class_name)
            original = getattr(owner, attribute)
            self.patched.append((owner, attribute, original))
            setattr(owner, attribute, self._wrap(label, original))
        # transaction.atomic commits through the connection object itself.
        from django.db import connections

        connection = connections["default"]
        self.patched.append((connection, "commit", None))
        connection.commit = self._wrap(COMMIT, connection.commit)

    def uninstall(self) -> None:
        for owner, attribute, original in reversed(self.patched):
            if original is None:
                delattr(owner, attribute)
            else:
                setattr(owner, attribute, original)
        self.patched.clear()

    def _wrap(self, label: str, function):
        steps, stack = self.steps, self.stack

        @functools.wraps(function)
        def timed(*args, **kwargs):
            frame = [label, 0.0, 0.0]
            stack.append(frame)
            started, started_cpu = time.perf_counter(), time.process_time()
            try:
                result = function(*args, **kwargs)
            finally:
                elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
                stack.pop()
                step = steps[label]
                step.calls += 1
                step.own += elapsed - frame[1]
                step.cpu += cpu - frame[2]
                if stack:
                    stack[-1][1] += elapsed
                    stack[-1][2] += cpu
            if result:
                step.hits += 1
            return result

        return timed

    def sql(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            step = self.steps[self.stack[-1][0] if self.stack else OTHER]
            step.sql += time.perf_counter() - started
            step.queries += 1


# --- Measuring ----------------------------------------------------------------------------------


@dataclass
class Pass:
    seconds: float = 0.0
    cpu: float = 0.0
    items: int = 0
    counts: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds else 0.0


def run_pass(feeds: list, profile: cProfile.Profile | None = None) -> Pass:
    from resourcecentre.ingest import services

    result = Pass()
    started, started_cpu = time.perf_counter(), time.process_time()
    if profile:
        profile.enable()
    for feed in feeds:
        summary = services.feed_run(feed=feed, fetch_articles=False)
        if summary.status == "error":
            result.errors.append(f"{feed.name}: {summary.error}")
        result.items += summary.items
        result.counts.update(new=summary.new, merged=summary.merged, seen=summary.seen, failed=summary.failed)
    if profile:
        profile.disable()
    result.seconds = time.perf_counter() - started
    result.cpu = time.process_time() - started_cpu
    return result


def run_parallel(feeds: list, workers: int) -> Pass:
    """The same feeds again, from empty pipeline tables, in `workers` processes that each take
    one feed at a time, as workers of the task queue do; CPU time is the workers' sum."""
    import multiprocessing

    from django.db import connections

    clear_pipeline_tables()
    connections.close_all()  # each process opens its own
    result = Pass()
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for name, summary, cpu in pool.imap_unordered(_run_one, [feed.pk for feed in feeds]):
            if summary["status"] == "error":
                result.errors.append(f"{name}: {summary['error']}")
            result.items += summary["items"]
            result.counts.update({key: summary[key] for key in ("new", "merged", "seen", "failed")})
            result.cpu += cpu
    result.seconds = time.perf_counter() - started
    return result


def _run_one(feed_pk: int) -> tuple[str, dict, float]:
    from django.db import connections

    from resourcecentre.ingest import services
    from resourcecentre.ingest.models import Feed

    started = time.process_time()
    feed = Feed.objects.get(pk=feed_pk)
    summary = services.feed_run(feed=feed, fetch_articles=False)
    connections.close_all()
    return feed.name, dataclasses.asdict(summary), time.process_time() - started


def clear_pipeline_tables() -> None:
    from django.db import connection, transaction

    from resourcecentre.ingest.models import Candidate, Entry, SuggestedTag, TextBand

    with transaction.atomic(), connection.cursor() as cursor:
        for model in (SuggestedTag, TextBand, Entry, Candidate):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608


def parse_only(bodies: list[bytes], **options) -> tuple[float, int]:
    import feedparser

    started, items = time.perf_counter(), 0
    for body in bodies:
        items += len(feedparser.parse(body, **options).entries)
    return time.perf_counter() - started, items


def merge_quality(specs: list[FeedSpec], feeds: list) -> tuple[Counter, Counter, int]:
    """How the merges compare with the planted copies: (copies per kind, copies that share their
    original's candidate per kind, entries in a candidate whose other entries report another
    article)."""
    from resourcecentre.ingest.models import Entry

    article_of = {}
    for spec, feed in zip(specs, feeds, strict=True):
        for a in spec.articles:
            article_of[(feed.pk, a.url)] = (a.number, a.kind)
    original_candidate, copies, by_candidate = {}, [], defaultdict(list)
    for feed_id, guid, candidate_id in Entry.objects.values_list("feed_id", "guid", "candidate_id"):
        number, kind = article_of[(feed_id, guid)]
        by_candidate[candidate_id].append(number)
        if kind == "original":
            original_candidate[number] = candidate_id
        else:
            copies.append((number, kind, candidate_id))
    planted, merged = Counter(), Counter()
    for number, kind, candidate_id in copies:
        planted[kind] += 1
        merged[kind] += original_candidate[number] == candidate_id
    wrong = sum(len(numbers) - Counter(numbers).most_common(1)[0][1] for numbers in by_candidate.values())
    return planted, merged, wrong


def breakdown_table(timers: Timers, run: Pass) -> str:
    rows = [
        "| step | calls | hits | own s | CPU s | ms per item | share | of which SQL s | queries |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    other = timers.steps[OTHER]
    other.own += run.seconds - sum(step.own for step in timers.steps.values())
    other.cpu += run.cpu - sum(step.cpu for step in timers.steps.values())
    labels = [label for label, _, _ in STEPS]
    labels.insert(labels.index(STEPS[4][0]) + 1, COMMIT)
    for label in [*labels, OTHER]:
        step = timers.steps[label]
        hits = f"{step.hits:,}" if label.startswith("5 dedup: layer") else ""
        rows.append(
            f"| {label} | {step.calls:,} | {hits} | {step.own:.2f} | {step.cpu:.2f} "
            f"| {1000 * step.own / run.items:.3f} | {step.own / run.seconds:.1%} | {step.sql:.2f} "
            f"| {step.queries:,} |"
        )
    sql = sum(step.sql for step in timers.steps.values())
    queries = sum(step.queries for step in timers.steps.values())
    rows.append(
        f"| **total** | | | **{run.seconds:.2f}** | {run.cpu:.2f} | **{1000 * run.seconds / run.items:.3f}** "
        f"| 100% | {sql:.2f} | {queries:,} |"
    )
    return "\n".join(rows)


def main() -> None:
    args = parse_args()
    per_feed = args.entries // args.feeds
    with tempfile.TemporaryDirectory(prefix="rc-bench-ingest-") as tmp:
        created = setup_django(
            Path(tmp),
            FETCH_ALLOW_PRIVATE_HOSTS="127.0.0.1",
            INGEST_HOST_DELAY_SECONDS="0",
            INGEST_MAX_ENTRIES=str(max(1000, 2 * per_feed)),
        )
        try:
            run(args)
        finally:
            if created:
                drop_database(created)


def run(args: argparse.Namespace) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from resourcecentre.ingest import stories, tagging
    from resourcecentre.ingest.language import detect_language
    from resourcecentre.ingest.models import Candidate, Entry, Feed, SuggestedTag, TextBand
    from resourcecentre.news.models import Source

    for line in machine():
        print(line)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - started

    rng = random.Random(SEED)
    started = time.perf_counter()
    places = load_places(rng)
    avoid = {form.lower() for p in places for form in [*p.names.values(), *p.places]}
    companies = make_companies(rng, args.companies, avoid)
    load_register(companies)
    rng.shuffle(companies)  # the Zipf ranks: which companies are in the news most
    writer = Writer(rng, companies, places, load_issue_phrases())
    n_components = load_stories(writer, companies, args.stories)
    specs = make_feeds(writer, args.feeds, args.entries, args.duplicates)
    server = FeedServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    sources = {name: Source.objects.get_or_create(name=name)[0] for name in {s.name for s in specs}}
    feeds = []
    for spec in specs:
        server.bodies[spec.path] = render(spec, server.base)
        feeds.append(
            Feed.objects.create(
                name=f"{spec.name} ({spec.number})",
                url=server.base + spec.path,
                source=sources[spec.name],
                language=spec.language,
            )
        )
    if connection.vendor == "postgresql":
        analyze_loaded_tables()
    loaded = time.perf_counter() - started

    names = sum(len(c.aliases) for c in companies)
    scripts = Counter(c.script for c in companies)
    entries = sum(len(spec.articles) for spec in specs)
    kinds = Counter(a.kind for spec in specs for a in spec.articles)
    size = sum(len(body) for body in server.bodies.values())
    print(
        f"register: {len(companies):,} companies and {names:,} other names "
        f"({', '.join(f'{script} {n:,}' for script, n in scripts.most_common())}); {args.stories} published "
        f"stories with {n_components:,} components; migrated in {migrated:.1f} s, loaded in {loaded:.1f} s"
    )
    print(
        f"feeds: {len(specs)} ({sum(s.atom for s in specs)} Atom, {sum(s.content for s in specs)} with full "
        f"text; {', '.join(f'{lang} {n}' for lang, n in FEED_LANGUAGES)}), {entries:,} entries, "
        f"{size / 1e6:.1f} MB, served from {server.base}; copies planted: "
        + ", ".join(f"{kind} {kinds[kind]:,}" for kind in ("tracking", "wire", "update"))
    )

    started = time.perf_counter()
    tagging.invalidate_tagger()
    tagging.get_tagger()
    tagger_seconds = time.perf_counter() - started
    started = time.perf_counter()
    stories.invalidate_stories()
    stories.suggest_story(
        company_ids=[companies[0].pk],
        country_ids=[],
        issue_ids=[],
        title="",
        text="",
        published_at=timezone.now(),
    )
    stories_seconds = time.perf_counter() - started
    started = time.perf_counter()
    detect_language("Workers say they were not paid for months.")
    language_seconds = time.perf_counter() - started
    print(
        f"built once, before timing: tagger {tagger_seconds:.1f} s, stories snapshot "
        f"{stories_seconds:.2f} s, language model {language_seconds:.2f} s"
    )

    timers = Timers()
    profile = cProfile.Profile() if args.profile else None
    if not args.no_breakdown:
        timers.install()
    try:
        with connection.execute_wrapper(timers.sql) if not args.no_breakdown else contextlib.nullcontext():
            first = run_pass(feeds, profile)
    finally:
        timers.uninstall()
    second = run_pass(feeds)
    planted, merged, wrong = merge_quality(specs, feeds)
    tags = Counter(SuggestedTag.objects.values_list("kind", flat=True))
    suggested = Candidate.objects.filter(suggested_story__isnull=False).count()
    candidates, stored = Candidate.objects.count(), (Entry.objects.count(), TextBand.objects.count())
    if args.workers > 1:
        parallel = run_parallel(feeds, args.workers)
        _, parallel_merged, parallel_wrong = merge_quality(specs, feeds)
    bodies = list(server.bodies.values())
    baseline_seconds, baseline_items = parse_only(bodies, sanitize_html=False, resolve_relative_uris=False)
    default_seconds, _ = parse_only(bodies)
    server.shutdown()
    server.server_close()

    mode = "without step timers" if args.no_breakdown else "with step timers"
    if profile:
        mode += ", under cProfile (slower than without)"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print()
    errors = first.errors + second.errors + (parallel.errors if args.workers > 1 else [])
    if errors:
        print("FEED ERRORS:\n" + "\n".join(errors))
    rows = [
        "| run | items | s | items/s | ms per item | CPU share |",
        "|---|--:|--:|--:|--:|--:|",
        f"| pipeline, first pass ({mode}) | {first.items:,} | {first.seconds:.1f} | **{first.rate:.0f}** "
        f"| {1000 / first.rate:.2f} | {first.cpu / first.seconds:.0%} |",
        f"| pipeline, second pass (all seen before) | {second.items:,} | {second.seconds:.1f} "
        f"| {second.rate:.0f} | {1000 / second.rate:.2f} | {second.cpu / second.seconds:.0%} |",
        *(
            [
                f"| pipeline, {args.workers} worker processes, from empty tables again (CPU share of "
                f"{args.workers} cores) | {parallel.items:,} | {parallel.seconds:.1f} | {parallel.rate:.0f} "
                f"| {1000 / parallel.rate:.2f} | {parallel.cpu / parallel.seconds / args.workers:.0%} |"
            ]
            if args.workers > 1
            else []
        ),
        f"| baseline: feedparser.parse as the pipeline calls it (no sanitising) | {baseline_items:,} "
        f"| {baseline_seconds:.1f} | **{baseline_items / baseline_seconds:.0f}** "
        f"| {1000 * baseline_seconds / baseline_items:.2f} | |",
        f"| feedparser.parse with its defaults (sanitising, relative URIs) | {baseline_items:,} "
        f"| {default_seconds:.1f} | {baseline_items / default_seconds:.0f} "
        f"| {1000 * default_seconds / baseline_items:.2f} | |",
    ]
    print("\n".join(rows))
    print()
    print(
        f"first pass: {first.counts['new']:,} new candidates, {first.counts['merged']:,} merged into others, "
        f"{first.counts['seen']:,} seen, {first.counts['failed']:,} failed; second pass: "
        f"{second.counts['new']:,} new, {second.counts['merged']:,} merged, {second.counts['seen']:,} seen, "
        f"{second.counts['failed']:,} failed"
    )
    print(
        f"merged with their original: {sum(merged.values()):,} of {sum(planted.values()):,} planted copies ("
        + ", ".join(f"{kind} {merged[kind]:,}/{planted[kind]:,}" for kind in ("tracking", "wire", "update"))
        + f"); {wrong:,} entries merged into another article's candidate; {candidates:,} candidates, "
        f"{stored[0]:,} entries, {stored[1]:,} text bands"
    )
    if args.workers > 1:
        print(
            f"{args.workers} workers: {parallel.counts['new']:,} new, {parallel.counts['merged']:,} merged, "
            f"{parallel.counts['seen']:,} seen, {parallel.counts['failed']:,} failed; "
            f"{sum(parallel_merged.values()):,} copies merged with their original, {parallel_wrong:,} "
            "entries merged into another article's candidate"
        )
    print(
        f"suggestions: {tags['company']:,} company, {tags['country']:,} country and {tags['issue']:,} "
        "issue tags "
        f"({sum(tags.values()) / max(candidates, 1):.1f} per candidate); a story suggested for {suggested:,} "
        f"candidates ({suggested / max(candidates, 1):.0%})"
    )
    if not args.no_breakdown:
        print()
        print(breakdown_table(timers, first))
        similar = timers.steps[STEPS[13][0]]
        print(
            f"\nlayer 3: {similar.queries - similar.calls:,} of {similar.calls:,} entries shared a text band "
            "with earlier candidates, which were then loaded and compared"
        )
    print()
    print(
        f"CPU time was {first.cpu / first.seconds:.0%} of wall time over the first pass (well below 100 % "
        f"means other processes had the CPU, or the database server did the work); load average now {load}"
    )
    if profile:
        print()
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).strip_dirs()
        stats.sort_stats("tottime").print_stats(args.profile)
        stats.sort_stats("cumulative").print_stats(args.profile)
        print(out.getvalue())
    verdict = "met" if first.rate >= TARGET_ITEMS_PER_S else "NOT met"
    print(f"target {TARGET_ITEMS_PER_S} items/s: {verdict}")
    print(
        f"items_per_s={first.rate:.0f} parse_only_items_per_s={baseline_items / baseline_seconds:.0f} "
        f"items={first.items}"
    )


if __name__ == "__main__":
    main()
