import pytest

from etl.normalize.units import UnitsError, split_people, split_responsible


@pytest.mark.parametrize(
    ("cell", "units", "office"),
    [
        ("市经济和信息化局【中小办】", ("市经济和信息化局",), "中小办"),
        (
            "市经济和信息化局市招商中心市科技局【局招商组】",
            ("市经济和信息化局", "市招商中心", "市科技局"),
            "局招商组",
        ),
        (
            "市经济和信息化局安庆石化安庆高新区管委会【产业科】",
            ("市经济和信息化局", "安庆石化", "安庆高新区管委会"),
            "产业科",
        ),
        (
            "市经济和信息化局市财政局(市国资委)【中小办】",
            ("市经济和信息化局", "市财政局(市国资委)"),
            "中小办",
        ),
        (
            "市经济和信息化局相关县(市、区)政府【重点办】",
            ("市经济和信息化局", "相关县(市、区)政府"),
            "重点办",
        ),
        ("市经济和信息化局 市发展改革委 【节能科】", ("市经济和信息化局", "市发展改革委"), "节能科"),
        ("市委宣传部市政府办公室", ("市委宣传部", "市政府办公室"), None),
        ("市财政局（市国资委）", ("市财政局（市国资委）",), None),
    ],
)
def test_units_are_split_and_the_office_taken_from_brackets(
    cell: str, units: tuple[str, ...], office: str | None
) -> None:
    assert split_responsible(cell) == (units, office)


def test_a_name_without_any_unit_suffix_is_rejected() -> None:
    with pytest.raises(UnitsError, match="cannot tell where the unit name '市经济和信息化局张三' ends"):
        split_responsible("市经济和信息化局张三【中小办】")


def test_two_offices_are_rejected() -> None:
    with pytest.raises(UnitsError, match="more than one office"):
        split_responsible("市经济和信息化局【中小办】【运行办】")


# 责任领导 / 责任人: Chinese documents pad a two-character name to the width of a three-character one with a space
# (王　伟, U+3000 or a plain space), and a narrow column wraps a three-character name over two lines (欧乾/震, the
# 泗洲头镇 table's 责任领导 column is two characters wide). A lone character is never a whole name, so it belongs to
# its neighbour; two whole names separated by a space, a line break or 、，,；; stay two people.
@pytest.mark.parametrize(
    ("cell", "people"),
    [
        ("王\u3000伟", ("王伟",)),
        ("王 伟", ("王伟",)),
        ("王\u3000小\u3000伟", ("王小伟",)),
        ("王 小伟", ("王小伟",)),
        ("欧乾\n震", ("欧乾震",)),
        ("王\u3000伟、李\u3000强", ("王伟", "李强")),
        ("王伟 李\u3000强", ("王伟", "李强")),
        ("欧乾\n震\n吴宇\n凡", ("欧乾震", "吴宇凡")),
    ],
)
def test_a_name_written_with_a_space_or_wrapped_is_one_person(cell: str, people: tuple[str, ...]) -> None:
    assert split_people(cell) == people


@pytest.mark.parametrize(
    ("cell", "people"),
    [
        ("王伟、李强", ("王伟", "李强")),
        ("王伟，李强,张三", ("王伟", "李强", "张三")),
        ("王伟；李强;张三", ("王伟", "李强", "张三")),
        ("王伟 李强", ("王伟", "李强")),
        ("王伟\u3000李强", ("王伟", "李强")),
        ("欧乾震 吴宇凡", ("欧乾震", "吴宇凡")),
        ("王伟\n李强", ("王伟", "李强")),
        ("王伟（兼 组长）、李强", ("王伟（兼组长）", "李强")),
        ("王\u3000伟\u3000李\u3000强", ("王伟", "李强")),
    ],
)
def test_whole_names_separated_by_spaces_or_punctuation_are_several_people(
    cell: str, people: tuple[str, ...]
) -> None:
    assert split_people(cell) == people
