"""Reading pages' markup in tests."""

import lxml.html


def language_marks(content: bytes, text: str) -> set[tuple[str, str]]:
    """The language and direction a page gives `text` wherever it shows it: the nearest `lang`
    and `dir` of each element whose own text contains it.

    Content in another language than the page's must be marked, or a screen reader speaks it
    with the page's voice and a right-to-left page moves its punctuation.
    """
    found = set()
    for element in lxml.html.fromstring(content).xpath("//body//*[contains(text(), $text)]", text=text):
        lang = element.xpath("ancestor-or-self::*[@lang][1]/@lang")
        direction = element.xpath("ancestor-or-self::*[@dir][1]/@dir")
        found.add((lang[0] if lang else "", direction[0] if direction else ""))
    return found
