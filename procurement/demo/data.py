"""Static tables the demo world is drawn from: drugs, places, company and hospital names.

Drug names, strengths and dosage forms are real generics of the national VBP rounds; ceilings
and reference prices are plausible, not published figures. Company names are fictional.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Drug:
    generic_name: str
    dosage_form: str
    dosage_class: str
    strength: Decimal  # reference (representative) strength
    strength_unit: str
    smallest_unit: str
    ceiling: Decimal  # per smallest unit
    reference: Decimal  # pre-procurement price per smallest unit
    yearly_units: int  # a large tertiary hospital's yearly use, in smallest units
    packs: tuple[int, ...]  # usual pack sizes
    other_strengths: tuple[Decimal, ...] = ()
    restricted: bool = False  # restricted antimicrobial (lower volume ratios)
    common: bool = True  # used in primary care too


# generic name | dosage form | class (OS oral solid, INJ injection) | reference strength |
# unit | smallest unit | ceiling | reference price | tertiary yearly units | packs |
# other strengths | flags
DRUG_TABLE = """
氨氯地平片|片剂|OS|5|mg|tablet|0.3000|1.2000|420000|7,14,28|10|
阿托伐他汀钙片|片剂|OS|20|mg|tablet|0.9500|3.5000|300000|7,14,28|10,40|
二甲双胍片|片剂|OS|0.5|g|tablet|0.1200|0.3500|600000|20,48,60||
头孢呋辛酯片|片剂|OS|0.25|g|tablet|1.2000|2.6000|90000|6,12,24||
瑞舒伐他汀钙片|片剂|OS|10|mg|tablet|0.8000|3.0000|260000|7,14,28|5,20|
硝苯地平控释片|控释片|OS|30|mg|tablet|1.8000|4.5000|240000|7,12,14||
厄贝沙坦片|片剂|OS|150|mg|tablet|0.6000|2.0000|200000|7,14,28|75|
缬沙坦胶囊|胶囊剂|OS|80|mg|capsule|0.7000|2.4000|180000|7,14,28||
氯沙坦钾片|片剂|OS|50|mg|tablet|0.9000|3.2000|160000|7,14|100|
苯磺酸左氨氯地平片|片剂|OS|2.5|mg|tablet|0.5500|1.9000|150000|7,14,28||
美托洛尔缓释片|缓释片|OS|47.5|mg|tablet|1.2000|3.8000|220000|7,14,28||
氯吡格雷片|片剂|OS|75|mg|tablet|2.0000|6.5000|210000|7,14,28|25|
阿司匹林肠溶片|肠溶片|OS|100|mg|tablet|0.0800|0.2500|500000|30,60,100||
格列美脲片|片剂|OS|2|mg|tablet|0.6000|2.1000|140000|10,20,30|1|
阿卡波糖片|片剂|OS|50|mg|tablet|0.5000|1.8000|330000|30,60||
恩替卡韦片|片剂|OS|0.5|mg|tablet|1.0000|12.0000|90000|7,14,28||rare
替诺福韦二吡呋酯片|片剂|OS|300|mg|tablet|2.0000|15.0000|50000|30||rare
奥美拉唑肠溶胶囊|肠溶胶囊|OS|20|mg|capsule|0.6000|2.5000|260000|7,14,28||
雷贝拉唑钠肠溶片|肠溶片|OS|10|mg|tablet|1.5000|4.8000|160000|7,14|20|
蒙脱石散|散剂|OS|3|g|sachet|1.0000|2.2000|80000|10,12,15||
左氧氟沙星片|片剂|OS|0.5|g|tablet|1.5000|6.0000|70000|4,6,10||
莫西沙星片|片剂|OS|0.4|g|tablet|6.0000|25.0000|30000|3,5||restricted,rare
阿莫西林胶囊|胶囊剂|OS|0.25|g|capsule|0.2000|0.4500|150000|24,36,50||
头孢克肟胶囊|胶囊剂|OS|0.1|g|capsule|1.2000|3.5000|60000|6,10,12||
孟鲁司特钠片|片剂|OS|10|mg|tablet|1.5000|5.0000|90000|5,10,14||
氯雷他定片|片剂|OS|10|mg|tablet|0.4000|1.5000|80000|6,10,12||
舍曲林片|片剂|OS|50|mg|tablet|1.8000|6.0000|60000|7,14,28||rare
奥氮平片|片剂|OS|10|mg|tablet|3.0000|12.0000|40000|7,14,28|5|rare
利培酮片|片剂|OS|1|mg|tablet|0.4000|1.8000|50000|20,30,60||rare
塞来昔布胶囊|胶囊剂|OS|0.2|g|capsule|1.5000|5.5000|90000|6,10,12||
布洛芬缓释胶囊|缓释胶囊|OS|0.3|g|capsule|0.3000|0.9000|120000|10,20,24||
甲钴胺片|片剂|OS|0.5|mg|tablet|0.4000|1.2000|160000|20,30,60||
注射用头孢曲松钠|注射剂|INJ|1|g|vial|4.0000|12.0000|60000|1,10|2|rare
奥司他韦胶囊|胶囊剂|OS|75|mg|capsule|3.0000|8.0000|40000|6,10||
坦索罗辛缓释胶囊|缓释胶囊|OS|0.2|mg|capsule|1.5000|4.0000|70000|10,14,30||rare
注射用奥美拉唑钠|注射剂|INJ|40|mg|vial|6.0000|18.0000|50000|1,10||rare
吲达帕胺缓释片|缓释片|OS|1.5|mg|tablet|0.6000|1.9000|110000|10,20,30||
坎地沙坦酯片|片剂|OS|8|mg|tablet|0.9000|3.3000|100000|7,14,28|4|
依折麦布片|片剂|OS|10|mg|tablet|2.5000|7.5000|60000|10,30||rare
达格列净片|片剂|OS|10|mg|tablet|2.8000|8.0000|90000|14,28|5|
"""
CLASSES = {"OS": "oral_solid", "INJ": "injection"}


def _drug(row: str) -> Drug:
    name, form, cls, strength, unit, smallest, ceiling, ref, units, packs, others, flags = (
        row.split("|")
    )
    return Drug(
        name,
        form,
        CLASSES[cls],
        Decimal(strength),
        unit,
        smallest,
        Decimal(ceiling),
        Decimal(ref),
        int(units),
        tuple(int(p) for p in packs.split(",")),
        tuple(Decimal(o) for o in others.split(",") if o),
        restricted="restricted" in flags,
        common="rare" not in flags,
    )


DRUGS: tuple[Drug, ...] = tuple(_drug(row) for row in DRUG_TABLE.strip().splitlines())

REGULATOR = ("JS-YBJ", "江苏省医疗保障局（省药品集中采购办公室）", "320000")
FUND = ("JS-YBZX", "江苏省医疗保险基金管理中心", "320000")


@dataclass(frozen=True)
class Area:
    code: str  # GB/T 2260
    name: str
    city: str
    county: bool  # a county or county-level city (not a city district)


# Jiangsu (320000): prefecture cities with some of their districts and counties.
CITY_TABLE = """
320100 南京: 320102 玄武区, 320106 鼓楼区, 320115 江宁区, 320117 溧水区
320500 苏州: 320508 姑苏区, 320505 虎丘区, 320581 常熟市, 320582 张家港市, 320583 昆山市
320200 无锡: 320213 梁溪区, 320214 新吴区, 320281 江阴市, 320282 宜兴市
320300 徐州: 320302 鼓楼区, 320321 丰县, 320322 沛县, 320382 邳州市
320400 常州: 320402 天宁区, 320412 武进区, 320413 金坛区
320600 南通: 320613 崇川区, 320681 启东市, 320682 如皋市, 320685 海安市
320700 连云港: 320706 海州区, 320722 东海县, 320723 灌云县
320800 淮安: 320812 清江浦区, 320826 涟水县, 320830 盱眙县
320900 盐城: 320902 亭湖区, 320921 响水县, 320925 建湖县, 320981 东台市
321000 扬州: 321002 广陵区, 321081 仪征市, 321084 高邮市
321100 镇江: 321102 京口区, 321181 丹阳市, 321182 扬中市
321200 泰州: 321202 海陵区, 321281 兴化市, 321282 靖江市
321300 宿迁: 321302 宿城区, 321322 沭阳县, 321323 泗阳县
"""


def _city(row: str) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    head, parts = row.split(": ")
    code, name = head.split()
    return code, name, tuple(tuple(p.split()) for p in parts.split(", "))  # type: ignore[misc]


CITIES = tuple(_city(row) for row in CITY_TABLE.strip().splitlines())
# A city's own hospitals sit in its first listed district (codes of GB/T 2260 as in force now).
CENTRAL_DISTRICT = {code: parts[0][0] for code, _name, parts in CITIES}

TOWNS = (
    "城东",
    "城西",
    "城南",
    "城北",
    "新桥",
    "大港",
    "长安",
    "青山",
    "白马",
    "河口",
    "双沟",
    "马坝",
    "东坝",
    "花园",
    "永丰",
    "临湖",
    "太平",
    "三河",
    "黄桥",
    "新街",
    "高桥",
    "石桥",
    "龙潭",
    "东山",
)

PLACES = (
    "江苏",
    "浙江",
    "山东",
    "四川",
    "湖南",
    "广东",
    "河北",
    "安徽",
    "湖北",
    "江西",
    "福建",
    "重庆",
)
BRANDS = (
    "恒康",
    "华拓",
    "远志",
    "博康",
    "信诚",
    "安泰",
    "明德",
    "瑞泽",
    "康桥",
    "宏远",
    "慧通",
    "润生",
    "和信",
    "天衡",
    "景丰",
    "协力",
    "鼎元",
    "百宁",
    "联康",
    "永信",
    "福瑞",
    "英科",
    "盛华",
    "长峰",
    "东岳",
    "北辰",
    "西岭",
    "南洲",
    "中汇",
    "普济",
    "九和",
    "嘉禾",
    "泰和",
    "清源",
    "弘道",
    "正元",
    "德泰",
    "康宁",
    "华信",
    "立本",
    "启明",
    "济生",
    "同盛",
    "广达",
    "世泽",
    "汇仁",
    "新澜",
    "云岭",
)
SUFFIXES = (
    "药业有限公司",
    "制药有限公司",
    "药业股份有限公司",
    "制药股份有限公司",
    "医药集团有限公司",
)
DISTRIBUTOR = "江苏康达医药物流有限公司"
ORIGINATORS = ("辉瑞（中国）制药有限公司", "阿斯利康制药有限公司", "赛诺菲（杭州）制药有限公司")

REJECT_REASONS = ("外包装破损", "效期不足六个月", "批号与随货同行单不符", "冷链温度记录缺失")
SHORTAGE_REASONS = ("原料药供应不足，暂无法供货", "生产线停产检修", "区域配送能力不足")
