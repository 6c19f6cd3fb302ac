"""HTML from Mastodon-compatible servers, read as the plain text a person sees.

Inputs are shaped like what Mastodon renders (see the recorded statuses in
tests/fixtures/mastodon): `<p>` paragraphs, `<br />`, h-card mention links, hashtag links,
and links shortened with `invisible` and `ellipsis` spans.
"""

from __future__ import annotations

from bot.platforms.html_text import MAX_CHARS, html_to_text

RECORDED_MENTION = (
    '<p><span class="h-card" translate="no"><a href="http://localhost:3000/@mastodonpy_test" '
    'class="u-url mention">@<span>mastodonpy_test</span></a></span> hello!</p>'
)
LONG_LINK = (
    '<a href="https://example.com/a/very/long/path/to/a/page" rel="nofollow noopener" target="_blank">'
    '<span class="invisible">https://</span><span class="ellipsis">example.com/a/very/long/pat</span>'
    '<span class="invisible">h/to/a/page</span></a>'
)


def test_empty_or_missing_html_is_empty_text():
    assert html_to_text(None) == "" and html_to_text("") == ""


def test_mention_link_becomes_user_at_the_links_host():
    assert html_to_text(RECORDED_MENTION) == "@mastodonpy_test@localhost:3000 hello!"


def test_mention_link_uses_the_handle_from_the_status_mentions_when_known():
    html = '<p><a href="https://social.example.com/@ann" class="u-url mention">@<span>ann</span></a> hi</p>'
    mentions = {"https://social.example.com/@ann": "ann@example.com"}
    assert html_to_text(html, mentions=mentions) == "@ann@example.com hi"


def test_mention_already_showing_its_domain_is_kept():
    html = '<a href="https://misskey.example/@bo" class="u-url mention">@bo@misskey.example</a> yo'
    assert html_to_text(html) == "@bo@misskey.example yo"


def test_hashtag_link_stays_a_hashtag():
    html = '<p>Please <a href="https://x.example/tags/nobot" class="mention hashtag">#<span>NoBot</span></a>'
    assert html_to_text(html) == "Please #NoBot"


def test_line_break_becomes_a_newline_and_paragraphs_a_blank_line():
    assert html_to_text("<p>one<br />two<br>three</p><p>four</p>") == "one\ntwo\nthree\n\nfour"


def test_shortened_link_shows_its_visible_part_and_an_ellipsis():
    assert html_to_text(f"<p>read {LONG_LINK} now</p>") == "read example.com/a/very/long/pat… now"


def test_full_links_keeps_the_hidden_parts_to_match_what_was_posted():
    text = html_to_text(f"<p>read {LONG_LINK} now</p>", full_links=True)
    assert text == "read https://example.com/a/very/long/path/to/a/page now"


def test_entities_are_unescaped():
    html = "<p>fish &amp; chips &lt;3 &#8220;yes&#8221; caf&eacute;</p>"
    assert html_to_text(html) == "fish & chips <3 “yes” café"


def test_escaped_markup_in_text_is_not_read_as_tags():
    assert html_to_text("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>") == "<script>alert(1)</script>"


def test_inline_tags_do_not_glue_or_split_words():
    assert html_to_text("<p>hello <b>big</b> <i>world</i>!</p>") == "hello big world!"


def test_runs_of_white_space_read_as_one_space():
    assert html_to_text("<p>a  \n  b\t c</p>") == "a b c"


def test_broken_html_still_gives_its_text():
    html = "<p>unclosed <b>bold <a href='x'>link</p></div></span> tail <i"
    assert html_to_text(html) == "unclosed bold link\n\ntail"


def test_scripts_and_styles_are_dropped():
    assert html_to_text("<p>hi</p><script>steal()</script><style>p{}</style>") == "hi"


def test_custom_emoji_shortcodes_are_kept_as_written():
    assert html_to_text("<p>nice :blobcat_heart: :verified:</p>") == "nice :blobcat_heart: :verified:"


def test_emoji_image_reads_as_its_alt_text():
    assert html_to_text('<p>hi <img src="e.png" alt=":wave:" class="emoji" /></p>') == "hi :wave:"


def test_right_to_left_text_is_kept_intact():
    hebrew_arabic = "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 \u202bembedded\u202c"
    assert html_to_text(f"<p>{hebrew_arabic}</p>") == hebrew_arabic


def test_control_characters_are_removed():
    assert html_to_text("<p>a\x00b\x1bc</p>") == "abc"


def test_lists_and_quotes_keep_their_lines():
    assert html_to_text("<p>todo:</p><ul><li>one</li><li>two</li></ul><blockquote><p>q</p></blockquote>") == (
        "todo:\n\none\ntwo\n\nq"
    )


def test_preformatted_text_keeps_its_spacing():
    assert html_to_text("<pre>a  b\n  c</pre>") == "a  b\nc"


def test_huge_text_is_cut_with_an_ellipsis():
    text = html_to_text("<p>" + "word " * 100_000 + "</p>")
    assert text.endswith("…") and len(text) <= MAX_CHARS + 1


def test_huge_markup_is_not_parsed_past_the_limit():
    html = "<p>" + "<b>x</b>" * 2_000_000 + "</p>"
    assert len(html_to_text(html, max_chars=100)) <= 101
