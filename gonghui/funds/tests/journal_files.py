"""Journals as the accounting software exports them, for the import tests."""

import datetime
import io

import xlsxwriter

YONYOU_HEADER = ["凭证日期", "凭证字号", "摘要", "科目编码", "科目名称", "借方金额", "贷方金额", "对方单位", "发票代码",
                 "发票号码", "决策文号", "附件数"]


def serial(d: datetime.date) -> int:
    return (d - datetime.date(1899, 12, 30)).days


def yonyou_rows():
    """用友-style lines: Excel serial dates, codes and paths, a 合计 row per month, an empty row."""
    d1, d2, d3 = datetime.date(2026, 1, 15), datetime.date(2026, 1, 20), datetime.date(2026, 2, 3)
    return [
        [serial(d1), "记-0001", "收到1月会费", "102", "银行存款", 12000, "", "", "", "", "", 1],
        [serial(d1), "记-0001", "收到1月会费", "401", "会费收入", "", 12000, "", "", "", "", ""],
        [serial(d2), "记-0002", "春节慰问品", "50105", "职工活动支出-节日慰问", "8,600.00", "", "某某超市",
         "044001900111", "12345678", "工委〔2026〕1号", 3],
        [serial(d2), "记-0002", "春节慰问品", "102", "银行存款", "", "8,600.00", "某某超市", "", "", "", ""],
        ["", "", "本月合计", "", "", 20600, 20600, "", "", "", "", ""],
        ["", "", "", "", "", "", "", "", "", "", "", ""],
        [serial(d3), "记-0003", "春节慰问（困难职工）", "5010501", "春节慰问", 2000, "", "", "", "", "", ""],
        [serial(d3), "记-0003", "春节慰问（困难职工）", "101", "库存现金", "", 2000, "", "", "", "", ""],
        ["", "", "本年累计", "", "", 22600, 22600, "", "", "", "", ""],
    ]


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, datetime.date):
                    ws.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), date_fmt)
                elif value != "":
                    ws.write(r, c, value)
    book.close()
    return out.getvalue()


def yonyou_xlsx(extra: dict | None = None) -> bytes:
    """Title rows above the header, as 用友 writes them; the journal on sheet 凭证 (not the first)."""
    journal = [["序时账"], ["核算单位：测试基层工会", "", "2026年度"], YONYOU_HEADER, *yonyou_rows()]
    return xlsx({"说明": [["本文件由财务软件导出"]], "凭证": journal, **(extra or {})})


def kingdee_csv() -> bytes:
    """金蝶-style csv, GBK encoded: 日期 as 2026/3/2, 凭证号 as 记12, 科目 as a path with "/", full-width digits."""
    text = "\n".join([
        "日期,凭证号,摘要,科目代码,科目,借方,贷方,往来单位",
        "2026/3/2,记12,职工培训,,业务支出/培训,\"1,500.00\",,某培训中心",
        "2026/3/2,记12,职工培训,,银行存款,,\"1,500.00\",某培训中心",
        "２０２６年３月５日,记13,购买办公用品,,行政支出\\办公费,３２０.５０,,文具店",
        "２０２６年３月５日,记13,购买办公用品,,库存现金,,３２０.５０,文具店",
        "合计,,,,,\"1,820.50\",\"1,820.50\",",
    ])
    return text.encode("gbk")
