"""The criteria sets shipped as templates: seed 001's five questions of the 民主评议, 德能勤绩廉 for assessing cadres,
and the 会员评议职工之家 items. The migration writes them; ``ensure_builtin`` writes any that is missing (a database
emptied by hand or by a test's flush), so the set-up page always offers them."""

BUILTIN = [
    ("党员民主评议五个方面", "competence", [
        "是否具有坚定的共产主义信念",
        "是否坚决贯彻执行党的路线、方针、政策，在政治上同党中央保持高度一致",
        "是否坚持围绕中心，服务大局",
        "是否严守党纪、政纪、国法，做到令行禁止",
        "是否密切联系群众，自觉维护人民群众的利益",
    ]),
    ("干部民主测评（德能勤绩廉）", "competence", ["德", "能", "勤", "绩", "廉"]),
    ("会员评议职工之家", "satisfaction", [
        "工会组织健全、换届及时，会员（代表）大会按期召开",
        "维护职工合法权益，集体协商和厂务公开落实",
        "关心职工生活，困难帮扶和送温暖到位",
        "开展文体活动和职工技能培训",
        "工会经费收缴、使用和公开规范",
        "工会干部作风和联系会员情况",
    ]),
]


def ensure_builtin(model=None) -> None:
    """Write the template sets that are missing (``model``: the historical model, from a migration)."""
    if model is None:
        from .models import CriteriaSet as model
    have = set(model.objects.filter(builtin=True).values_list("name", flat=True))
    for name, scale, criteria in BUILTIN:
        if name not in have:
            model.objects.get_or_create(name=name, defaults={"scale": scale, "criteria": criteria, "builtin": True})
