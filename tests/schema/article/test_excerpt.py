from __future__ import annotations

import pytest

from schema.article.excerpt import ELLIPSIS, excerpt, plain_text


def test_plain_text_drops_markdown_but_keeps_the_words() -> None:
    markdown = (
        "## Why it happens\n\nNerves, **not** the _muscle_: see [the study](https://x.test).\n\n"
        "- pace the day\n- keep `cool`\n\n<b>bold</b> ![a chart](c.png)"
    )

    assert plain_text(markdown) == (
        "Why it happens Nerves, not the muscle: see the study. pace the day keep cool bold a chart"
    )


def test_text_that_fits_comes_back_unchanged() -> None:
    assert excerpt(("fits", 1), "Oregon or Maine? I'm from Portland, Maine", 200) == (
        "Oregon or Maine? I'm from Portland, Maine"
    )


@pytest.mark.parametrize("max_length", [8, 10, 17, 18, 25, 40])
def test_a_cut_ends_on_a_word_boundary_within_the_limit(max_length: int) -> None:
    text = "Oregon or Maine? I'm from Portland, Maine"

    cut = excerpt(("cut", max_length), text, max_length)

    assert len(cut) <= max_length
    assert cut.endswith(ELLIPSIS)
    words = cut.removesuffix(ELLIPSIS).rstrip(",")
    assert text.startswith(words)
    assert words == "" or text[len(words)] in " ,"


def test_a_cut_drops_dangling_punctuation() -> None:
    assert excerpt(("comma", 1), "Oregon or Maine, I'm from Portland", 18) == "Oregon or Maine…"


def test_a_single_long_word_is_cut_inside_it() -> None:
    assert excerpt(("word", 1), "Demyelination" * 3, 8) == "Demyeli…"


def test_the_ampersand_survives() -> None:
    assert excerpt(("amp", 1), "Why It Happens & What Actually Helps", 100) == (
        "Why It Happens & What Actually Helps"
    )
