import unicodedata

from etl.normalize.text import SPACES, clean_cell, is_ideographic, strip_markup
from tests.fidelity import comparable


def test_html_paragraphs_become_numbered_lines() -> None:
    raw = "<p>1. 经常性深入企业。</p> <p>2. 积极帮助曙光化工。</p>"
    assert clean_cell(raw) == "1.经常性深入企业。\n2.积极帮助曙光化工。"


def test_numbered_items_on_one_line_are_split() -> None:
    raw = "1.通过政策引领。 2.加强与省厅对接。 3.开展2024年申报工作。"
    assert clean_cell(raw).split("\n") == ["1.通过政策引领。", "2.加强与省厅对接。", "3.开展2024年申报工作。"]


def test_item_after_text_without_punctuation_is_split_when_it_continues_the_sequence() -> None:
    raw = "1.印发《通知》等 2.会同发改联合开展"
    assert clean_cell(raw) == "1.印发《通知》等\n2.会同发改联合开展"


def test_decimals_periods_and_out_of_sequence_numbers_do_not_split() -> None:
    assert clean_cell("高于全省平均5.2个百分点。") == "高于全省平均5.2个百分点。"
    assert clean_cell("1-8月份，通报 3. 项目") == "1-8月份，通报3.项目"
    assert "\n" not in clean_cell("技改投资同比增长31.3%， 2.5倍")


def test_soft_wraps_join_without_space_inside_chinese_and_with_space_between_latin_words() -> None:
    assert clean_cell("正在推\n进") == "正在推进"
    assert clean_cell("primary\nmedia") == "primary media"
    assert clean_cell("1.加强对接\n2.组织申报") == "1.加强对接\n2.组织申报"


def test_spaces_beside_chinese_are_dropped_and_latin_text_is_kept() -> None:
    assert clean_cell("开展 500 家企业数字化诊断") == "开展500家企业数字化诊断"
    assert clean_cell("1. 7 月 4 日，为推动") == "1. 7月4日，为推动"
    assert clean_cell("主动在当地主流 media 上公布") == "主动在当地主流media上公布"
    assert clean_cell("MTBE  项目") == "MTBE项目"


def test_half_width_punctuation_is_kept_as_written() -> None:
    assert clean_cell("相关县(市、区)政府,实现早竣工") == "相关县(市、区)政府,实现早竣工"


def test_entities_and_empty_cells() -> None:
    assert strip_markup("a&nbsp;b &amp; c") == "a\u00a0b & c"
    assert clean_cell("") == ""
    assert clean_cell("  <p></p> ") == ""


def test_comparable_ignores_all_whitespace() -> None:
    assert comparable("1. 加强\n2. 组织") == "1.加强2.组织"


def test_a_wrap_inside_a_figure_adds_no_space() -> None:
    assert clean_cell("技改投资增长1\n5%以上") == "技改投资增长15%以上"
    assert clean_cell("总额131\n6.79亿元") == "总额1316.79亿元"
    assert clean_cell("达到 60\n%") == "达到60%"
    assert clean_cell("version 2\nrelease") == "version 2 release"


def test_a_wrap_after_a_hyphen_adds_no_space() -> None:
    """LibreOffice breaks a line after the hyphen of 1-8月份 (the changed-template fixture's PDF does)."""
    assert clean_cell("监测分析，1-\n8月份全市") == "监测分析，1-8月份全市"
    assert clean_cell("e-\nmail") == "e-mail"


def test_every_space_character_is_a_space() -> None:
    """Every Unicode Zs character (this Python's tables) is squeezed like a space: dropped beside CJK text, one
    space between Latin words. Before, only the space, NBSP and U+3000 were: U+2009 in 中小\u2009办 stayed, a second
    office name (issue 22, defect 8)."""
    zs = {chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Zs"}
    assert set(SPACES) == zs
    for space in sorted(zs):
        assert clean_cell(f"{space}中小{space}办{space}") == "中小办", f"U+{ord(space):04X}"
        assert clean_cell(f"CPU{space}{space}GPU") == "CPU GPU", f"U+{ord(space):04X}"


def test_is_ideographic_takes_every_cjk_ideograph_and_nothing_else() -> None:
    # the unified block, extension A, a compatibility ideograph (the names of etl.normalize.units are made of these)
    assert is_ideographic("王伟") and is_ideographic("\u3400") and is_ideographic("\uf900")
    # CJK punctuation, a full-width form, Latin, a Yijing hexagram symbol (between extension A and the unified block)
    for text in ("王，", "（", "王A", "\u4dc0"):
        assert not is_ideographic(text), text
