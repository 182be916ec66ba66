"""The roster's columns: headers and their synonyms, the labels people write for the choices, the batch sizes."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import tabular
from gonghui.core.identity import DocumentType

from ..models import (
    Education,
    EmploymentForm,
    PoliticalStatus,
    Sex,
)

KIND = "members.roster"  # the import kind whose limits apply (settings.IMPORT_LIMITS)
BATCH = 1000
PREVIEW_ROWS = 20
RosterFileError = tabular.TableFileError

# Actions a row leads to.
CREATE, UPDATE, UNCHANGED, REFUSED = "create", "update", "unchanged", "refused"
_ACTION_CODES = {CREATE: 0, UPDATE: 1, UNCHANGED: 2, REFUSED: 3}
_CODE_ACTIONS = {v: k for k, v in _ACTION_CODES.items()}


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header the template and the report write
    synonyms: tuple[str, ...]
    help: str


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("职工姓名", "会员姓名", "名字", "name"), gettext_lazy("The person's full name.")),
    Column("id_number", "身份证号", ("身份证号码", "公民身份号码", "居民身份证号码", "身份证件号码", "证件号码",
                                  "证件号", "身份证", "id_number"),
           gettext_lazy("18 characters; format the column as text in Excel, or it keeps only 15 digits. "
                        "Full-width digits, spaces and a lowercase x are accepted.")),
    Column("doc_type", "证件类型", ("证件种类", "证件名称", "doc_type"),
           gettext_lazy("Leave empty for a resident ID card; else 护照, 港澳居民来往内地通行证, "
                        "台湾居民来往大陆通行证 or 外国人永久居留身份证.")),
    Column("sex", "性别", ("sex",), gettext_lazy("男 or 女; for a resident ID it must agree with the number.")),
    Column("birth_date", "出生日期", ("出生年月", "出生年月日", "生日", "birth_date"),
           gettext_lazy("For a resident ID it must agree with the number.")),
    Column("ethnicity", "民族", ("ethnicity",), gettext_lazy("For example 汉族.")),
    Column("phone", "手机号码", ("手机", "手机号", "移动电话", "联系电话", "电话", "电话号码", "联系方式", "phone"),
           gettext_lazy("A mobile number, 11 digits.")),
    Column("education", "文化程度", ("学历", "最高学历", "education"),
           gettext_lazy("研究生, 本科, 大专, 高中 (or 中专) or 初中 (or below).")),
    Column("political_status", "政治面貌", ("political_status",),
           gettext_lazy("中共党员, 中共预备党员, 共青团员, 民主党派 or 群众.")),
    Column("joined_on", "入会时间", ("入会日期", "入会年月", "加入工会时间", "加入工会日期", "joined_on"),
           gettext_lazy("Empty: the day of the import.")),
    Column("job_title", "岗位", ("职务", "岗位/职务", "岗位(职务)", "职位", "工种", "job_title"),
           gettext_lazy("At most 50 characters.")),
    Column("employment_form", "用工形式", ("用工方式", "用工类型", "就业形式", "employment_form"),
           gettext_lazy("全日制, 非全日制, 劳务派遣, 平台用工 or 灵活就业.")),
    Column("is_migrant_worker", "是否农民工", ("农民工", "is_migrant_worker"), gettext_lazy("是 or 否.")),
    Column("is_new_employment", "是否新就业形态劳动者",
           ("新就业形态劳动者", "是否新就业形态", "新就业形态", "is_new_employment"), gettext_lazy("是 or 否.")),
    Column("is_dispatched", "是否劳务派遣", ("劳务派遣", "是否派遣", "派遣", "is_dispatched"),
           gettext_lazy("是 or 否.")),
)
BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = ("name", "id_number")
HEADERS = tabular.HeaderMap({c.key: (c.header, *c.synonyms) for c in COLUMNS})
MEMBERSHIP_KEYS = ("joined_on", "job_title", "employment_form", "is_migrant_worker", "is_new_employment",
                   "is_dispatched")
PERSON_UPDATABLE = ("name", "sex", "birth_date", "ethnicity", "education", "political_status")

# Labels people write, to enum values; the first label of each value is the one the template documents.
SEX_LABELS = {Sex.MALE: ("男", "男性", "m", "male", "1"), Sex.FEMALE: ("女", "女性", "f", "female", "2")}
EDUCATION_LABELS = {
    Education.POSTGRADUATE: ("研究生", "博士", "硕士", "博士研究生", "硕士研究生", "研究生及以上", "博士后"),
    Education.BACHELOR: ("本科", "大学本科", "大学", "学士"),
    Education.COLLEGE: ("大专", "专科", "大学专科", "高职", "高职高专"),
    Education.SECONDARY: ("高中", "中专", "高中/中专", "中专/高中", "高中(中专)", "职高", "技校", "中技",
                          "普通高中", "中等专业学校"),
    Education.JUNIOR: ("初中", "初中及以下", "初中以下", "小学", "文盲", "半文盲"),
}
POLITICAL_LABELS = {
    PoliticalStatus.CPC: ("中共党员", "党员", "中国共产党党员", "共产党员"),
    PoliticalStatus.CPC_PROBATIONARY: ("中共预备党员", "预备党员"),
    PoliticalStatus.LEAGUE: ("共青团员", "团员"),
    PoliticalStatus.DEMOCRATIC_PARTY: ("民主党派", "民革党员", "民盟盟员", "民建会员", "民进会员", "农工党党员",
                                       "致公党党员", "九三学社社员", "台盟盟员"),
    PoliticalStatus.MASSES: ("群众", "无党派人士", "无党派"),
}
EMPLOYMENT_LABELS = {
    EmploymentForm.FULL_TIME: ("全日制", "全职", "合同制", "正式工", "固定用工"),
    EmploymentForm.PART_TIME: ("非全日制", "兼职"),
    EmploymentForm.DISPATCHED: ("劳务派遣", "派遣"),
    EmploymentForm.PLATFORM: ("平台用工", "新就业形态", "平台", "网约工"),
    EmploymentForm.FLEXIBLE: ("灵活就业", "灵活用工", "临时工"),
}
DOC_LABELS = {
    DocumentType.RESIDENT_ID: ("居民身份证", "身份证", "二代身份证", "中华人民共和国居民身份证"),
    DocumentType.PASSPORT: ("护照",),
    DocumentType.HK_MACAU_PERMIT: ("港澳居民来往内地通行证", "回乡证", "港澳通行证"),
    DocumentType.TAIWAN_PERMIT: ("台湾居民来往大陆通行证", "台胞证"),
    DocumentType.FOREIGN_RESIDENCE: ("外国人永久居留身份证", "外国人永久居留证", "永久居留证"),
}


_token = tabular.cell_token
_lookup = tabular.label_table


_SEXES, _EDUCATIONS, _POLITICAL = _lookup(SEX_LABELS), _lookup(EDUCATION_LABELS), _lookup(POLITICAL_LABELS)
_EMPLOYMENT, _DOCS = _lookup(EMPLOYMENT_LABELS), _lookup(DOC_LABELS)


def _choice(table: dict, labels: dict, text: str) -> str:
    token = _token(text)
    value = table.get(token) or table.get(re.sub(r"\(.*?\)", "", token))
    if value is None:
        raise ValidationError(_("Unknown value “%(value)s”; write one of: %(labels)s.") % {
            "value": text, "labels": "、".join(names[0] for names in labels.values())}, code="choice")
    return value


