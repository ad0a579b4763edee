from resourcecentre.lib.html import mark_spans, plain_text, sanitize_html


def test_it_keeps_elisions_and_editorial_insertions():
    excerpt = "<p>[At a press event, he said] ... “It makes sense...” [t]he bill</p>"
    assert sanitize_html(excerpt) == excerpt


def test_it_removes_scripts_handlers_and_javascript_links():
    dirty = (
        '<p>Hi<script>alert(1)</script><img src=x onerror="alert(2)">'
        '<a href="javascript:alert(3)">x</a><a href="https://ok.example/">ok</a>'
        '<p onclick="alert(4)">broken <b>tags'
    )
    clean = sanitize_html(dirty)
    assert "script" not in clean and "alert" not in clean
    assert "onerror" not in clean and "onclick" not in clean and "javascript" not in clean
    assert '<a href="https://ok.example/" rel="noopener noreferrer nofollow">ok</a>' in clean
    assert clean.endswith("broken <b>tags</b></p>")


def test_plain_text_folds_whitespace_and_cuts_at_a_word():
    assert plain_text("<p>One  &amp; two</p>\n<p>three four five</p>", limit=14) == "One & two…"
    assert plain_text("<p>short</p>", limit=100) == "short"


def test_mark_spans_escapes_the_text_and_marks_each_span():
    text = "<b>Amazon</b> & Amazon Web Services"
    marked = mark_spans(text, [(3, 9, "Amazon"), (16, 35, "Amazon"), (16, 22, "Amazon")])
    assert marked == (
        '&lt;b&gt;<mark title="Amazon">Amazon</mark>&lt;/b&gt; &amp; '
        '<mark title="Amazon">Amazon Web Services</mark>'
    )


def test_mark_spans_leaves_out_spans_that_no_longer_fit_the_text():
    assert mark_spans("Shell", [(0, 5, 'a "tag"'), (2, 4, "x"), (3, 40, "y"), (4, 4, "z")]) == (
        '<mark title="a &quot;tag&quot;">Shell</mark>'
    )
