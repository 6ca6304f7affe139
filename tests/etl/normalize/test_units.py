import pytest

from etl.normalize.units import UnitsError, split_responsible


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
