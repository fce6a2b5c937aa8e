#!/usr/bin/env python3
"""Writes a realistic batch of CEB declarations for benchmarks and load tests.

    python3 scripts/generate-batch.py --type CEB621 --count 100000 --out /tmp/invt.xml
    python3 scripts/generate-batch.py --type CEB311 --count 100000 --out /tmp/orders.xml --invalid-rate 0.01 \
        --expected /tmp/orders.expected.tsv

One file = one message (`ceb:CEBnnnMessage`) holding `--count` documents (for CEB607: one manifest with
`--count` WayBillList lines). Everything is seeded (`--seed`): document *i* of a CEB311, CEB411, CEB511
and CEB621 batch made with the same seed and count describe the same shipment (same orderNo,
logisticsNo, buyer, goods and amounts), so batches of the four types pass the three-document match.

Every document is valid by the schema and the customs rules (amounts add up to the cent, per-order
value ≤ ¥5,000, resident ID and social credit code check characters, 10-digit HS codes, customs code
tables), except the ones `--invalid-rate` breaks on purpose: each of those breaks exactly one rule
(RUL001…RUL012, chosen per message type) and is listed with its code in `--expected` (TSV: index, key,
code). CEB607 lines have no rule to break: the rate is ignored for it.

Memory is constant (documents are written as they are made) and the text comes from templates built
once per run from the spec in scripts/cebspec.py, so 100,000 CEB621 inventories (~3 KB each, 2.5 lines
on average) take seconds.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time
from operator import itemgetter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cebspec  # noqa: E402
from cebsamples import resident_id, social_credit_code, wrong_check, USCC_ALPHABET  # noqa: E402

CEB_NS = "http://www.chinaport.gov.cn/ceb"
TYPES = ("CEB311", "CEB411", "CEB511", "CEB621", "CEB607")


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cents(value: int) -> str:
    sign = "-" if value < 0 else ""
    value = abs(value)
    return f"{sign}{value // 100}.{value % 100:02d}"


def kilos(grams: int) -> str:
    return f"{grams // 1000}.{grams % 1000:03d}"


# ---------------------------------------------------------------------------------------------
# Pools, built once per run from the seed
# ---------------------------------------------------------------------------------------------

# itemNo, itemName, gname, gmodel, barCode, gcode, country, unit, unit1, grams per unit, price (cents)
PRODUCTS = [
    ("JP-SK2-230", "日本SK-II护肤精华露", "护肤精华液", "230毫升/瓶，神仙水", "4979006070576", "3304990099", "116", "142", "035", 420, 129900),
    ("JP-KAO-NB", "花王纸尿裤L号", "婴儿纸尿裤", "L号54片/包，9-14公斤", "4901301230881", "9619003100", "116", "125", "035", 1550, 12900),
    ("JP-SHS-MB", "资生堂洗颜专科洗面奶", "洁面乳", "120克/支，绵润泡沫", "4901872449491", "3304990099", "116", "011", "035", 140, 5500),
    ("KR-SWS-SET", "雪花秀滋阴护肤套装", "护肤品套装", "5件套，滋阴水乳", "8809535805217", "3304990099", "133", "001", "035", 980, 158000),
    ("KR-LNG-CR", "兰芝睡眠面膜", "面膜", "70毫升/盒，夜间修护", "8809643068337", "3304990099", "133", "140", "035", 110, 16900),
    ("AU-A2-P3", "澳洲a2白金版婴幼儿奶粉3段", "婴幼儿配方奶粉", "900克/罐，3段（1-3岁）", "9421902960086", "1901101000", "601", "122", "035", 1050, 23900),
    ("AU-SW-CA", "澳洲Swisse钙+维生素D片", "钙片", "150片/瓶", "9311770592253", "2106909090", "601", "142", "035", 290, 13900),
    ("AU-BL-FO", "澳洲Blackmores深海鱼油", "鱼油软胶囊", "1000毫克×400粒/瓶", "9300807284127", "2106909090", "601", "142", "035", 560, 15900),
    ("NZ-CM-UMF10", "新西兰康维他麦卢卡蜂蜜UMF10+", "天然蜂蜜", "500克/瓶", "9421001902024", "0409000000", "609", "142", "035", 720, 39900),
    ("NZ-ANC-MP", "新西兰安佳全脂奶粉", "全脂乳粉", "1千克/袋", "9414809030115", "0402210000", "609", "136", "035", 1030, 8900),
    ("DE-ZW-KN", "德国双立人厨房刀具套装", "不锈钢刀具", "5件套，含刀座", "4009839300486", "8211910000", "304", "001", "035", 1800, 69900),
    ("DE-APT-P2", "德国爱他美婴儿奶粉2段", "婴幼儿配方奶粉", "800克/罐，2段（6-12个月）", "4008976022329", "1901101000", "304", "122", "035", 950, 21900),
    ("US-CEN-MV", "美国善存男士复合维生素", "复合维生素片", "250片/瓶", "0300054486318", "2106909090", "502", "142", "035", 380, 16900),
    ("US-EL-ANR", "雅诗兰黛特润修护精华", "护肤精华液", "50毫升/瓶，小棕瓶", "0887167485471", "3304990099", "502", "142", "035", 230, 75000),
    ("FR-LRP-B5", "理肤泉B5修复霜", "护肤霜", "40毫升/支", "3337875531254", "3304990099", "305", "011", "035", 70, 12800),
    ("FR-EVI-SP", "依云矿泉水喷雾", "矿泉水喷雾", "300毫升/瓶", "3068320057109", "3304990099", "305", "142", "035", 360, 9900),
    ("TW-PC-0301", "台湾凤梨酥礼盒", "凤梨酥", "300克/盒，12枚装", "4710088421013", "1905909000", "143", "140", "035", 380, 8800),
    ("TW-GL-TEA", "台湾阿里山高山乌龙茶", "乌龙茶", "150克/罐，轻焙火", "4710901220317", "0902301000", "143", "122", "035", 260, 26800),
    ("TW-KKL-NB", "台湾金门一条根精油贴布", "药用贴布", "10片/盒", "4712983650016", "3005109000", "143", "140", "035", 90, 6500),
    ("TH-TNP-LT", "泰国天然乳胶枕", "乳胶枕", "60×40厘米，高低款", "8859134500108", "9404909000", "136", "011", "035", 1400, 29900),
    ("GB-BUR-SC", "英国博柏利羊绒围巾", "羊绒围巾", "168×30厘米，格纹", "5045573129011", "6214200000", "303", "011", "035", 180, 259000),
    ("CH-LD-CHOC", "瑞士莲软心巧克力", "巧克力", "200克/袋，混合口味", "7610400068895", "1806320000", "331", "136", "035", 210, 7900),
    ("HK-WO-FL", "香港位元堂养阴丸", "中成药", "36克×6瓶/盒", "4891199078814", "3004905990", "110", "140", "035", 290, 33800),
]

SURNAMES = "陈林黄张吴郑王李刘杨许蔡谢何朱叶高罗周徐"
GIVEN = ["思远", "雅琴", "志明", "晓燕", "建华", "丽萍", "海峰", "婷婷", "国强", "美玲", "文彬", "秀英", "俊杰",
         "静怡", "明辉", "淑芬", "子涵", "欣怡", "宇航", "佳慧"]
DISTRICTS = [("350102", "福州市鼓楼区", ["五四路", "湖东路", "杨桥中路", "东街"]),
             ("350103", "福州市台江区", ["江滨中大道", "宝龙街", "八一七中路"]),
             ("350104", "福州市仓山区", ["金山大道", "浦上大道", "首山路"]),
             ("350111", "福州市晋安区", ["福新东路", "岳峰路", "连江北路"]),
             ("350128", "平潭综合实验区", ["金井湾大道", "麒麟路", "坛南湾路"]),
             ("350203", "厦门市思明区", ["鹭江道", "中山路", "莲前西路"]),
             ("350206", "厦门市湖里区", ["湖滨北路", "枋湖路", "江头中路"]),
             ("350503", "泉州市丰泽区", ["丰泽街", "田安路", "刺桐路"]),
             ("350582", "泉州市晋江市", ["世纪大道", "泉安中路", "长兴路"]),
             ("350526", "泉州市德化县", ["浔中镇瓷都大道", "龙浔镇兴南街"])]


def enterprises(rng: random.Random, count: int, region: str, names: list) -> list:
    """(code, name): 18-character social credit codes with valid check characters."""
    out = []
    body_alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for index in range(count):
        body = "MA" + "".join(rng.choice(body_alphabet) for _ in range(7))
        out.append((social_credit_code("91" + region + body), names[index % len(names)]))
    return out


class Pools:
    def __init__(self, seed: int):
        rng = random.Random(seed ^ 0x5EED)
        self.platforms = enterprises(rng, 3, "350128", ["平潭海峡跨境电子商务平台有限公司", "福州闽都优品跨境电商有限公司",
                                                          "厦门鹭岛海淘网络科技有限公司"])
        self.sellers = enterprises(rng, 6, "350100", ["福州闽台优选贸易有限公司", "平潭两岸优品供应链有限公司",
                                                        "福建海丝全球购贸易有限公司", "福州榕城进口商品有限公司",
                                                        "平潭岚岛母婴用品有限公司", "福建东南海淘贸易有限公司"])
        self.carriers = enterprises(rng, 2, "350128", ["平潭岚岛国际物流有限公司", "福州海峡快运有限公司"])
        self.payers = enterprises(rng, 2, "350102", ["福建海峡支付科技有限公司", "福州榕付网络支付有限公司"])
        self.buyers = []
        for _ in range(4000):
            code, place, streets = rng.choice(DISTRICTS)
            year = rng.randint(1965, 2004)
            month = rng.randint(1, 12)
            day = rng.randint(1, 28)
            sequence = rng.randint(1, 999)
            number = resident_id(f"{code}{year:04d}{month:02d}{day:02d}{sequence:03d}")
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            phone = rng.choice(["139", "138", "159", "186", "188", "135"]) + f"{rng.randint(0, 99999999):08d}"
            address = f"福建省{place}{rng.choice(streets)}{rng.randint(1, 399)}号{rng.randint(1, 28)}{rng.randint(1, 4):02d}室"
            self.buyers.append((esc(name), number, phone, esc(address), code))
        self.products = [tuple(esc(x) if isinstance(x, str) else x for x in p) for p in PRODUCTS]


# ---------------------------------------------------------------------------------------------
# Shipments
# ---------------------------------------------------------------------------------------------

LINE_COUNTS = (1, 2, 2, 3, 3, 4, 1, 2, 3, 4)      # mean 2.5
LIMIT = 500000                                      # ¥5,000 in cents


class Shipment:
    """Everything about one shipment, drawn from a per-index random stream."""
    __slots__ = ("index", "rng", "platform", "seller", "carrier", "payer", "buyer", "lines", "goods", "freight",
                 "discount", "tax", "paid", "grams", "second")

    def __init__(self, pools: Pools, seed: int, index: int):
        rng = random.Random((seed << 24) ^ index)
        self.index = index
        self.rng = rng
        self.platform = pools.platforms[index % 3]
        self.seller = pools.sellers[rng.randrange(6)]
        self.carrier = pools.carriers[index & 1]
        self.payer = pools.payers[rng.randrange(2)]
        self.buyer = pools.buyers[rng.randrange(len(pools.buyers))]
        count = LINE_COUNTS[rng.randrange(10)]
        picks = rng.sample(pools.products, count)
        self.freight = rng.choice((0, 800, 1000, 1200, 1500, 2000))
        lines = [[p, rng.choice((1, 1, 1, 2, 2, 3))] for p in picks]
        goods = sum(p[10] * q for p, q in lines)
        while goods + self.freight > LIMIT:          # stay under the per-order limit
            biggest = max(lines, key=lambda line: line[0][10] * line[1])
            if biggest[1] > 1:
                biggest[1] -= 1
            else:
                lines.remove(biggest)
            goods = sum(p[10] * q for p, q in lines)
        self.lines = lines
        self.goods = goods
        self.discount = rng.choice((0, 0, 0, 500, 1000, 2000)) if goods > 5000 else 0
        self.tax = ((goods + self.freight) * 91 + 500) // 1000          # 9.1 %, half up
        self.paid = goods + self.freight - self.discount + self.tax
        self.grams = sum(p[9] * q for p, q in lines)
        self.second = rng.randrange(86400)

    @property
    def order_no(self) -> str:
        return f"PT20261125{self.index:08d}"

    @property
    def logistics_no(self) -> str:
        return f"LD35{self.index:011d}"

    @property
    def pay_txn(self) -> str:
        return f"HXPAY20261125{self.index:010d}"

    def time(self, offset: int = 0) -> str:
        second = min(self.second + offset, 86399)
        return f"20261125{second // 3600:02d}{second // 60 % 60:02d}{second % 60:02d}"


def guid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032X}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89AB'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


# ---------------------------------------------------------------------------------------------
# Templates from the spec
# ---------------------------------------------------------------------------------------------


def template(record, static: dict, dynamic: list, indent: str, wrapper: str) -> tuple:
    """A %-format string for `record`: static fields inline, dynamic ones as %s in spec order."""
    indent = ""                      # compact: one element per line, no indentation
    parts = [f"{indent}<ceb:{wrapper}>"]
    order = []
    for f in record.fields:
        if f.name in dynamic:
            parts.append(f"{indent}<ceb:{f.name}>%s</ceb:{f.name}>")
            order.append(f.name)
        elif static.get(f.name) is not None:
            parts.append(f"{indent}<ceb:{f.name}>{esc(str(static[f.name])).replace('%', '%%')}</ceb:{f.name}>")
        elif f.required:
            raise SystemExit(f"generate-batch: no value for required {record.element}.{f.name}")
    parts.append(f"{indent}</ceb:{wrapper}>")
    missing = set(dynamic) - set(order)
    if missing:
        raise SystemExit(f"generate-batch: {record.element} has no field {sorted(missing)}")
    if len(order) == 0:
        values = lambda d: ()  # noqa: E731
    elif len(order) == 1:
        values = lambda d: (d[order[0]],)  # noqa: E731
    else:
        values = itemgetter(*order)
    return "\n".join(parts) + "\n", values


def spec(number: str):
    return next(m for m in cebspec.MESSAGES if m.number == number)


AGENT = ("3516980E2K", "平潭综合实验区通关服务有限公司")
AREA = (social_credit_code("91350128MA8W5PB20"), "平潭金井湾保税仓储有限公司")


class Writer:
    """Builds the documents of one message type."""

    def __init__(self, number: str, pools: Pools, seed: int):
        self.number = number
        self.m = spec(number)
        self.pools = pools
        self.seed = seed
        self.rules = INJECTIONS[number]
        if number == "CEB621":
            self.head = template(self.m.head, {
                "appType": "1", "appStatus": "1", "preNo": None, "emsNo": "T3516W000123", "customsCode": "3501",
                "portCode": "3516", "buyerIdType": "1", "agentCode": AGENT[0], "agentName": AGENT[1],
                "tradeMode": "1210", "trafMode": "2", "trafNo": "海峡号",
                "voyageNo": "HX261125", "billNo": "PTHX2611250017", "loctNo": "351601", "insuredFee": "0.00",
                "wrapType": "2", "packNo": "1"},
                ["guid", "appTime", "orderNo", "ebpCode", "ebpName", "ebcCode", "ebcName", "logisticsNo",
                 "logisticsCode", "logisticsName", "copNo", "assureCode", "ieFlag", "declTime", "ieDate",
                 "buyerIdNumber", "buyerName", "buyerTelephone", "consigneeAddress", "country", "freight", "currency",
                 "grossWeight", "netWeight"], "    ", "InventoryHead")
            self.line = template(self.m.lines, {"currency": "142"},
                                 ["gnum", "itemRecordNo", "itemNo", "itemName", "gcode", "gname", "gmodel", "barCode",
                                  "country", "qty", "unit", "qty1", "unit1", "price", "totalPrice"],
                                 "    ", "InventoryList")
        elif number == "CEB311":
            self.head = template(self.m.head, {"appType": "1", "appStatus": "1", "buyerIdType": "1"},
                                 ["guid", "appTime", "orderType", "orderNo", "ebpCode", "ebpName", "ebcCode", "ebcName",
                                  "goodsValue", "freight", "discount", "taxTotal", "acturalPaid", "currency",
                                  "buyerRegNo", "buyerName", "buyerTelephone", "buyerIdNumber", "payCode", "payName",
                                  "payTransactionId", "consignee", "consigneeTelephone", "consigneeAddress",
                                  "consigneeDistrict"], "    ", "OrderHead")
            self.line = template(self.m.lines, {"currency": "142"},
                                 ["gnum", "itemNo", "itemName", "gmodel", "barCode", "unit", "qty", "price",
                                  "totalPrice", "country"], "    ", "OrderList")
        elif number == "CEB411":
            self.head = template(self.m.head, {"appType": "1", "appStatus": "1", "payerIdType": "1"},
                                 ["guid", "appTime", "payCode", "payName", "payTransactionId", "orderNo", "ebpCode",
                                  "ebpName", "payerIdNumber", "payerName", "telephone", "amountPaid", "currency",
                                  "payTime"], "    ", "PaymentHead")
        elif number == "CEB511":
            self.head = template(self.m.head, {"appType": "1", "appStatus": "1", "billNo": "PTHX2611250017",
                                               "insuredFee": "0.00", "packNo": "1"},
                                 ["guid", "appTime", "logisticsCode", "logisticsName", "logisticsNo", "orderNo",
                                  "freight", "currency", "weight", "goodsInfo", "consignee", "consigneeAddress",
                                  "consigneeTelephone"], "    ", "LogisticsHead")
        elif number == "CEB607":
            self.line = template(self.m.lines, {}, ["gnum", "totalPackageNo", "logisticsNo", "invtNo"], "    ",
                                 "WayBillList")

    # Each returns (xml text, key, injected code or None)

    def document(self, index: int, invalid_rate: float) -> tuple:
        s = Shipment(self.pools, self.seed, index)
        code = None
        if self.rules and invalid_rate > 0 and s.rng.random() < invalid_rate:
            code = self.rules[s.rng.randrange(len(self.rules))]
        return getattr(self, "doc" + self.number)(s, code), code

    def doc_lines_621(self, s: Shipment, code):
        line_text, line_values = self.line
        out = []
        bad = s.rng.randrange(len(s.lines)) if code else -1
        for n, (p, q) in enumerate(s.lines):
            d = {"gnum": n + 1, "itemRecordNo": f"{(s.index * 7 + n) % 9000 + 1000}", "itemNo": p[0], "itemName": p[1],
                 "gcode": p[5], "gname": p[2], "gmodel": p[3], "barCode": p[4], "country": p[6], "qty": q,
                 "unit": p[7], "qty1": kilos(p[9] * q), "unit1": p[8], "price": cents(p[10]),
                 "totalPrice": cents(p[10] * q)}
            if n == bad:
                if code == "RUL001":
                    d["price"] = cents(p[10] + 100)
                elif code == "RUL007":
                    # Ten characters (the official length) but not ten digits: the HS code written with a dot.
                    d["gcode"] = p[5][:4] + "." + p[5][4:9]
                elif code == "RUL008":
                    d["country"] = "999"
                elif code == "RUL010":
                    d["unit"] = "PCS"
            out.append(line_text % line_values(d))
        return out

    def over_limit(self, s: Shipment):
        """Quantities that take the order over ¥5,000 with at least two lines (one-item orders are allowed)."""
        if len(s.lines) == 1:
            other = next(p for p in self.pools.products if p is not s.lines[0][0])
            s.lines.append([other, 1])
        factor = LIMIT // max(1, s.lines[0][0][10]) + 1
        s.lines[0][1] = factor
        s.goods = sum(p[10] * q for p, q in s.lines)
        s.tax = ((s.goods + s.freight) * 91 + 500) // 1000
        s.paid = s.goods + s.freight - s.discount + s.tax
        s.grams = sum(p[9] * q for p, q in s.lines)

    def docCEB621(self, s: Shipment, code) -> str:
        if code == "RUL004":
            self.over_limit(s)
        seller, carrier, buyer = s.seller, s.carrier, s.buyer
        d = {"guid": guid(s.rng), "appTime": s.time(1800), "orderNo": s.order_no, "ebpCode": s.platform[0],
             "ebpName": s.platform[1], "ebcCode": seller[0], "ebcName": seller[1], "logisticsNo": s.logistics_no,
             "logisticsCode": carrier[0], "logisticsName": carrier[1], "copNo": f"PTQD{s.index:012d}",
             "assureCode": seller[0], "ieFlag": "I", "declTime": "20261125", "ieDate": "20261125",
             "buyerIdNumber": buyer[1], "buyerName": buyer[0], "buyerTelephone": buyer[2],
             "consigneeAddress": buyer[3], "country": s.lines[0][0][6], "freight": cents(s.freight),
             "currency": "142", "grossWeight": kilos(s.grams + 250), "netWeight": kilos(s.grams)}
        if code == "RUL005":
            d["buyerIdNumber"] = wrong_check(buyer[1], "0123456789X")
        elif code == "RUL006":
            d["ebcCode"] = wrong_check(seller[0], USCC_ALPHABET)
        elif code == "RUL011":
            d["declTime"] = "20260230"
        elif code == "RUL012":
            d["ieFlag"] = "E"
        head_text, head_values = self.head
        return "".join(["<ceb:Inventory>\n", head_text % head_values(d), *self.doc_lines_621(s, code),
                        "</ceb:Inventory>\n"])

    def docCEB311(self, s: Shipment, code) -> str:
        if code == "RUL004":
            self.over_limit(s)
        seller, buyer = s.seller, s.buyer
        d = {"guid": guid(s.rng), "appTime": s.time(), "orderType": "I", "orderNo": s.order_no,
             "ebpCode": s.platform[0], "ebpName": s.platform[1], "ebcCode": seller[0], "ebcName": seller[1],
             "goodsValue": cents(s.goods), "freight": cents(s.freight), "discount": cents(s.discount),
             "taxTotal": cents(s.tax), "acturalPaid": cents(s.paid), "currency": "142",
             "buyerRegNo": f"u{buyer[2]}", "buyerName": buyer[0], "buyerTelephone": buyer[2],
             "buyerIdNumber": buyer[1], "payCode": s.payer[0], "payName": s.payer[1], "payTransactionId": s.pay_txn,
             "consignee": buyer[0], "consigneeTelephone": buyer[2], "consigneeAddress": buyer[3],
             "consigneeDistrict": buyer[4]}
        bad = s.rng.randrange(len(s.lines)) if code else -1
        if code == "RUL002":
            d["goodsValue"] = cents(s.goods + 100)
            d["acturalPaid"] = cents(s.paid + 100)
        elif code == "RUL003":
            d["acturalPaid"] = cents(s.paid + 1)
        elif code == "RUL005":
            d["buyerIdNumber"] = wrong_check(buyer[1], "0123456789X")
        elif code == "RUL006":
            d["ebpCode"] = wrong_check(s.platform[0], USCC_ALPHABET)
        elif code == "RUL011":
            d["appTime"] = "20260230" + d["appTime"][8:]
        elif code == "RUL012":
            d["orderType"] = "E"
        head_text, head_values = self.head
        line_text, line_values = self.line
        out = ["<ceb:Order>\n", head_text % head_values(d)]
        for n, (p, q) in enumerate(s.lines):
            line = {"gnum": n + 1, "itemNo": p[0], "itemName": p[1], "gmodel": p[3], "barCode": p[4], "unit": p[7],
                    "qty": q, "price": cents(p[10]), "totalPrice": cents(p[10] * q), "country": p[6]}
            if n == bad:
                if code == "RUL001":
                    line["price"] = cents(p[10] + 100)
                elif code == "RUL008":
                    line["country"] = "999"
                elif code == "RUL010":
                    line["unit"] = "PCS"
            out.append(line_text % line_values(line))
        out.append("</ceb:Order>\n")
        return "".join(out)

    def docCEB411(self, s: Shipment, code) -> str:
        buyer = s.buyer
        d = {"guid": guid(s.rng), "appTime": s.time(600), "payCode": s.payer[0], "payName": s.payer[1],
             "payTransactionId": s.pay_txn, "orderNo": s.order_no, "ebpCode": s.platform[0], "ebpName": s.platform[1],
             "payerIdNumber": buyer[1], "payerName": buyer[0], "telephone": buyer[2], "amountPaid": cents(s.paid),
             "currency": "142", "payTime": s.time(30)}
        if code == "RUL005":
            d["payerIdNumber"] = wrong_check(buyer[1], "0123456789X")
        elif code == "RUL006":
            d["payCode"] = wrong_check(s.payer[0], USCC_ALPHABET)
        elif code == "RUL011":
            d["payTime"] = "20260230" + d["payTime"][8:]
        head_text, head_values = self.head
        return "".join(["<ceb:Payment>\n", head_text % head_values(d), "</ceb:Payment>\n"])

    def docCEB511(self, s: Shipment, code) -> str:
        buyer = s.buyer
        info = "；".join(f"{p[2]}{q}{'件'}" for p, q in s.lines)
        d = {"guid": guid(s.rng), "appTime": s.time(1200), "logisticsCode": s.carrier[0],
             "logisticsName": s.carrier[1], "logisticsNo": s.logistics_no, "orderNo": s.order_no,
             "freight": cents(s.freight), "currency": "142", "weight": kilos(s.grams + 250), "goodsInfo": info[:200],
             "consignee": buyer[0], "consigneeAddress": buyer[3], "consigneeTelephone": buyer[2]}
        if code == "RUL006":
            d["logisticsCode"] = wrong_check(s.carrier[0], USCC_ALPHABET)
        elif code == "RUL011":
            d["appTime"] = "20260230" + d["appTime"][8:]
        head_text, head_values = self.head
        return "".join(["<ceb:Logistics>\n", head_text % head_values(d), "</ceb:Logistics>\n"])

    def manifest_head(self, count: int) -> str:
        m = self.m
        values = {"guid": guid(random.Random(self.seed)), "appType": "1", "appTime": "20261126130000",
                  "appStatus": "1", "customsCode": "3501", "copNo": f"MWZF{self.seed % 10**12:012d}",
                  "agentCode": AGENT[0], "agentName": AGENT[1], "loctNo": "350104", "trafMode": "2",
                  "trafName": "海峡号", "voyageNo": "HX261126", "billNo": "MWHX2611260003",
                  "domesticTrafNo": "闽A·D2836", "grossWeight": kilos(count * 1850),
                  "logisticsCode": social_credit_code("91350105MA8PQ2WT9"), "logisticsName": "福州马尾港跨境物流有限公司",
                  "msgCount": "1", "msgSeqNo": "1", "note": f"{count} parcels"}
        text, _ = template(m.head, values, [], "    ", "WayBillHead")
        return "<ceb:WayBill>\n" + text

    def lineCEB607(self, index: int) -> str:
        text, values = self.line
        return text % values({"gnum": index + 1, "totalPackageNo": f"MWP{index // 200:08d}",
                              "logisticsNo": f"MWX35{index:011d}", "invtNo": f"35012026E{index:09d}"})


# Rule violations each message type can carry (one per broken document).
INJECTIONS = {
    # No RUL009: the official schema fixes every import currency to 142, so another one is a schema error.
    "CEB621": ["RUL001", "RUL004", "RUL005", "RUL006", "RUL007", "RUL008", "RUL010", "RUL011", "RUL012"],
    "CEB311": ["RUL001", "RUL002", "RUL003", "RUL004", "RUL005", "RUL006", "RUL008", "RUL010", "RUL011", "RUL012"],
    "CEB411": ["RUL005", "RUL006", "RUL011"],
    "CEB511": ["RUL006", "RUL011"],
    "CEB607": [],
}

SENDERS = {
    "CEB311": (0, "DXPENT0000458923"), "CEB411": (None, "DXPENT0000459107"), "CEB511": (None, "DXPENT0000460215"),
    "CEB621": (None, "DXPENT0000461330"), "CEB607": (None, "DXPENT0000461330"),
}


# The key the decoder reports for document i (the first non-empty key field of the spec).
KEYS = {
    "CEB621": lambda i: f"copNo=PTQD{i:012d}",
    "CEB311": lambda i: f"orderNo=PT20261125{i:08d}",
    "CEB411": lambda i: f"orderNo=PT20261125{i:08d}",
    "CEB511": lambda i: f"logisticsNo=LD35{i:011d}",
}


def base_transfer(number: str, pools: Pools) -> str:
    if number == "CEB311":
        code, name = pools.platforms[0]
    elif number == "CEB411":
        code, name = pools.payers[0]
    elif number == "CEB511":
        code, name = pools.carriers[0]
    else:
        code, name = AGENT
    return ("  <ceb:BaseTransfer>\n"
            f"    <ceb:copCode>{code}</ceb:copCode>\n    <ceb:copName>{name}</ceb:copName>\n"
            f"    <ceb:dxpMode>DXP</ceb:dxpMode>\n    <ceb:dxpId>{SENDERS[number][1]}</ceb:dxpId>\n"
            "  </ceb:BaseTransfer>\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--type", required=True, choices=TYPES, help="message type")
    parser.add_argument("--count", type=int, required=True, help="documents (CEB607: manifest lines)")
    parser.add_argument("--out", required=True, help="output file ('-' for standard output)")
    parser.add_argument("--seed", type=int, default=20261125, help="random seed (default 20261125)")
    parser.add_argument("--invalid-rate", type=float, default=0.0, help="share of documents that break one rule")
    parser.add_argument("--expected", help="write index, key and code of each broken document here (TSV)")
    parser.add_argument("--first", type=int, default=0,
                        help="index of the first document: successive batches with their own keys (orderNo, copNo, …)")
    args = parser.parse_args(argv)
    if args.count < 1 or not 0 <= args.invalid_rate <= 1:
        parser.error("--count must be positive and --invalid-rate within 0…1")

    started = time.perf_counter()
    pools = Pools(args.seed)
    writer = Writer(args.type, pools, args.seed)
    root = f"{args.type}Message"
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8", buffering=1 << 20)
    expected = open(args.expected, "w", encoding="utf-8") if args.expected else None
    if expected:
        expected.write("# index\tkey\tcode\n")
    injected: dict = {}
    try:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(f'<ceb:{root} guid="{guid(random.Random(args.seed + 1))}" version="1.0" xmlns:ceb="{CEB_NS}">\n')
        if args.type == "CEB607":
            out.write(writer.manifest_head(args.count))
            line = writer.lineCEB607
            chunk = []
            for index in range(args.count):
                chunk.append(line(index))
                if len(chunk) == 2048:
                    out.write("".join(chunk))
                    chunk.clear()
            out.write("".join(chunk))
            out.write("</ceb:WayBill>\n")
        else:
            document = writer.document
            key = KEYS[args.type]
            chunk = []
            for index in range(args.first, args.first + args.count):
                text, code = document(index, args.invalid_rate)
                chunk.append(text)
                if code:
                    injected[code] = injected.get(code, 0) + 1
                    if expected:
                        expected.write(f"{index}\t{key(index)}\t{code}\n")
                if len(chunk) == 256:
                    out.write("".join(chunk))
                    chunk.clear()
            out.write("".join(chunk))
        out.write(base_transfer(args.type, pools))
        out.write(f"</ceb:{root}>\n")
    finally:
        if out is not sys.stdout:
            out.close()
        if expected:
            expected.close()
    elapsed = time.perf_counter() - started
    size = os.path.getsize(args.out) if args.out != "-" else 0
    broken = ", ".join(f"{code}×{n}" for code, n in sorted(injected.items())) or "none"
    print(f"generate-batch: {args.type} {args.count} {'lines' if args.type == 'CEB607' else 'documents'}, "
          f"{size / 1e6:.1f} MB in {elapsed:.1f} s; broken: {broken}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
