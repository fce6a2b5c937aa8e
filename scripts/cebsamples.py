"""Sample messages for every message in scripts/cebspec.py, valid and invalid.

Called by `python3 scripts/cebspec.py` (it writes samples/valid, samples/invalid and
samples/invalid/EXPECTED.tsv). The values tell one story: a Pingtan bonded import (CEB311 →
CEB411 → CEB511 → CEB621 and their receipts, tax bill, warehouse entry) and a Dehua tea-set
export through Fuzhou (CEB303 → CEB403 → CEB505 → CEB603 → CEB607 → CEB701 → CEB792). Amounts
add up, identity numbers and social credit codes carry valid check characters.

The checksum helpers are shared with scripts/generate-batch.py.
"""
from __future__ import annotations

import uuid
from decimal import Decimal, ROUND_HALF_UP

CEB_NS = "http://www.chinaport.gov.cn/ceb"
GUID_NAMESPACE = uuid.UUID("6f1c2a58-8d0e-4b5e-9c6a-3a1f0b7e2d44")

# ---------------------------------------------------------------------------------------------
# Check characters
# ---------------------------------------------------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def resident_id(first17: str) -> str:
    """The 18-character resident ID number (GB 11643) for 17 digits."""
    assert len(first17) == 17 and first17.isdigit()
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def social_credit_code(first17: str) -> str:
    """The 18-character unified social credit code (GB 32100) for 17 characters."""
    assert len(first17) == 17
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return first17 + USCC_ALPHABET[(31 - total % 31) % 31]


def wrong_check(code: str, alphabet: str) -> str:
    """`code` with a different, wrong, last character."""
    last = code[-1]
    for c in alphabet:
        if c != last:
            return code[:-1] + c
    raise AssertionError


def money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def guid(name: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, name)).upper()


# ---------------------------------------------------------------------------------------------
# Cast
# ---------------------------------------------------------------------------------------------

EBP_CODE = social_credit_code("91350128MA8T4K2Q5")      # 平潭 platform
EBP_NAME = "平潭海峡跨境电子商务平台有限公司"
EBC_CODE = social_credit_code("91350100MA2YH3LK7")
EBC_NAME = "福州闽台优选贸易有限公司"
PAY_CODE = social_credit_code("91350102MA31C9UE4")
PAY_NAME = "福建海峡支付科技有限公司"
LOG_CODE = social_credit_code("91350128MA8RT6DX1")
LOG_NAME = "平潭岚岛国际物流有限公司"
AGENT_CODE = "3516980E2K"                                # 10-character customs registration code
AGENT_NAME = "平潭综合实验区通关服务有限公司"
OPERATOR_CODE = social_credit_code("91350128MA8W5PB20")
OPERATOR_NAME = "平潭金井湾保税仓储有限公司"
BUYER_ID = resident_id("35012819900307002")
BUYER = "陈思远"
BUYER_PHONE = "13905912345"
ADDRESS = "福建省福州市鼓楼区五四路158号环球广场1801室"

X_EBP_CODE = social_credit_code("91350105MA8UDK3C6")     # 马尾 export platform
X_EBP_NAME = "福州马尾跨境出口电商平台有限公司"
X_EBC_CODE = social_credit_code("91350526MA8U2F0N3")     # 德化
X_EBC_NAME = "德化瓷韵电子商务有限公司"
X_LOG_CODE = social_credit_code("91350105MA8PQ2WT9")
X_LOG_NAME = "福州马尾港跨境物流有限公司"
X_OPERATOR_CODE = "3501960A0C"
X_OPERATOR_NAME = "福州马尾跨境电商监管中心仓储有限公司"
DECL_AGENT_CODE = "3501980M7H"
DECL_AGENT_NAME = "福州榕城报关有限公司"

# ---------------------------------------------------------------------------------------------
# Import shipment: two items from Taiwan and Australia, bonded (1210) in Pingtan
# ---------------------------------------------------------------------------------------------

IMPORT_ITEMS = [
    dict(itemNo="TW-PC-0301", itemName="台湾凤梨酥礼盒", gname="凤梨酥", gmodel="300克/盒，12枚装",
         itemDescribe="台中老字号手工凤梨酥，土凤梨馅", barCode="4710088421013", unit="140", country="143",
         gcode="1905909000", qty=Decimal(3), price=Decimal("88.00"), unit1="035", qty1=Decimal("0.9"),
         itemRecordNo="1203"),
    dict(itemNo="AU-MP-0903", itemName="澳洲婴幼儿配方奶粉3段", gname="婴幼儿配方奶粉", gmodel="900克/罐，3段（1-3岁）",
         itemDescribe="澳大利亚原装进口，新西兰奶源", barCode="9310160814265", unit="122", country="601",
         gcode="1901101000", qty=Decimal(2), price=Decimal("239.00"), unit1="035", qty1=Decimal("1.8"),
         itemRecordNo="0877"),
]
IMPORT_FREIGHT = Decimal("10.00")
IMPORT_DISCOUNT = Decimal("20.00")
TAX_RATE = Decimal("0.091")      # 70 % of 13 % import VAT, no tariff, no consumption tax


def import_amounts(items, freight=IMPORT_FREIGHT, discount=IMPORT_DISCOUNT):
    """goodsValue, taxTotal and acturalPaid of an import order, to the cent."""
    goods = sum((money(i["qty"] * i["price"]) for i in items), Decimal("0.00"))
    tax = money((goods + freight) * TAX_RATE)
    return goods, tax, goods + freight - discount + tax


GOODS, TAX, PAID = import_amounts(IMPORT_ITEMS)
ORDER_NO = "PT202611250001"
LOGISTICS_NO = "LD350128000112501"
PAY_TXN = "HXPAY2026112509351200001"
INVT_COP_NO = "PTQD202611250001"
PRE_NO = "B20261125000012345"
INVT_NO = "35162026I000012345"
BILL_NO = "PTHX2611250017"

IMPORT = {
    "appType": "1", "appStatus": "1", "orderType": "I", "ieFlag": "I", "orderNo": ORDER_NO,
    "ebpCode": EBP_CODE, "ebpName": EBP_NAME, "ebcCode": EBC_CODE, "ebcName": EBC_NAME,
    "goodsValue": GOODS, "freight": IMPORT_FREIGHT, "discount": IMPORT_DISCOUNT, "taxTotal": TAX, "acturalPaid": PAID,
    "currency": "142", "buyerRegNo": "hx_chensiyuan", "buyerName": BUYER, "buyerTelephone": BUYER_PHONE,
    "buyerIdType": "1", "buyerIdNumber": BUYER_ID, "payCode": PAY_CODE, "payName": PAY_NAME,
    "payTransactionId": PAY_TXN, "consignee": BUYER, "consigneeTelephone": BUYER_PHONE, "consigneeAddress": ADDRESS,
    "consigneeDistrict": "350102", "payerIdType": "1", "payerIdNumber": BUYER_ID, "payerName": BUYER,
    "telephone": BUYER_PHONE, "amountPaid": PAID, "payTime": "20261125093512",
    "logisticsCode": LOG_CODE, "logisticsName": LOG_NAME, "logisticsNo": LOGISTICS_NO, "billNo": BILL_NO,
    "insuredFee": Decimal("0.00"), "weight": Decimal("3.10"), "packNo": 1,
    "goodsInfo": "凤梨酥3盒；婴幼儿配方奶粉2罐", "copNo": INVT_COP_NO, "preNo": PRE_NO, "assureCode": EBC_CODE,
    "emsNo": "T3516W000123", "invtNo": INVT_NO, "declTime": "20261125", "customsCode": "3501", "portCode": "3516",
    "ieDate": "20261125", "agentCode": AGENT_CODE, "agentName": AGENT_NAME, "areaCode": OPERATOR_CODE,
    "areaName": OPERATOR_NAME, "tradeMode": "1210", "trafMode": "2", "trafNo": "海峡号", "voyageNo": "HX261125",
    "loctNo": "351601", "country": "143", "wrapType": "2", "grossWeight": Decimal("3.10"),
    "netWeight": Decimal("2.70"), "returnTime": "20261125093601123",
}


def import_order_lines(items=IMPORT_ITEMS):
    return [dict(gnum=n, itemNo=i["itemNo"], itemName=i["itemName"], gmodel=i["gmodel"],
                 itemDescribe=i["itemDescribe"], barCode=i["barCode"], unit=i["unit"], qty=i["qty"],
                 price=i["price"], totalPrice=money(i["qty"] * i["price"]), currency="142", country=i["country"])
            for n, i in enumerate(items, 1)]


def import_inventory_lines(items=IMPORT_ITEMS):
    return [dict(gnum=n, itemRecordNo=i["itemRecordNo"], itemNo=i["itemNo"], itemName=i["itemName"],
                 gcode=i["gcode"], gname=i["gname"], gmodel=i["gmodel"], barCode=i["barCode"], country=i["country"],
                 currency="142", qty=i["qty"], unit=i["unit"], qty1=i["qty1"], unit1=i["unit1"], price=i["price"],
                 totalPrice=money(i["qty"] * i["price"]))
            for n, i in enumerate(items, 1)]


def tax_lines():
    """Dutiable value per line (freight shared by value), VAT at 9.1 %; sums match the head."""
    out, shared = [], Decimal("0.00")
    for n, i in enumerate(IMPORT_ITEMS, 1):
        total = money(i["qty"] * i["price"])
        share = money(IMPORT_FREIGHT * total / GOODS) if n < len(IMPORT_ITEMS) else IMPORT_FREIGHT - shared
        shared += share
        out.append(dict(gnum=n, gcode=i["gcode"], taxPrice=total + share, customsTax=Decimal("0.00"),
                        valueAddedTax=money((total + share) * TAX_RATE), consumptionTax=Decimal("0.00")))
    assert sum(line["valueAddedTax"] for line in out) == TAX, "tax lines must add up to the order's taxTotal"
    return out


# ---------------------------------------------------------------------------------------------
# Export shipment: Anxi oolong and a Dehua porcelain tea set to Taiwan
# ---------------------------------------------------------------------------------------------

EXPORT_ITEMS = [
    dict(itemNo="AXTGY-250", itemName="安溪铁观音清香型", gname="乌龙茶", gmodel="250克/盒，清香型，特级",
         itemDescribe="安溪西坪产区秋茶", barCode="6901234567892", unit="140", gcode="0902301000",
         qty=Decimal(4), price=Decimal("65.00"), unit1="035", qty1=Decimal("1.0")),
    dict(itemNo="DHCJ-T08", itemName="德化白瓷功夫茶具套装", gname="瓷制餐具", gmodel="8件套，羊脂白瓷",
         itemDescribe="德化手工白瓷，一壶六杯一公道", barCode="6923456789013", unit="001", gcode="6911101900",
         qty=Decimal(1), price=Decimal("420.00"), unit1="035", qty1=Decimal("2.4")),
]
X_GOODS = sum((money(i["qty"] * i["price"]) for i in EXPORT_ITEMS), Decimal("0.00"))
X_FREIGHT = Decimal("35.00")
X_ORDER_NO = "DH202611250088"
X_LOGISTICS_NO = "MWX2026112500088"
X_INVT_NO = "35012026E000004567"
X_BILL_NO = "MWHX2611260003"

EXPORT = {
    "appType": "1", "appStatus": "1", "orderType": "E", "ieFlag": "E", "orderNo": X_ORDER_NO,
    "ebpCode": X_EBP_CODE, "ebpName": X_EBP_NAME, "ebcCode": X_EBC_CODE, "ebcName": X_EBC_NAME,
    "goodsValue": X_GOODS, "freight": X_FREIGHT, "currency": "142", "logisticsCode": X_LOG_CODE,
    "logisticsName": X_LOG_NAME, "logisticsNo": X_LOGISTICS_NO, "insuredFee": Decimal("0.00"),
    "grossWeight": Decimal("3.60"), "netWeight": Decimal("3.40"), "packNo": 1,
    "goodsInfo": "铁观音茶叶4盒；白瓷茶具1套", "customsCode": "3501", "portCode": "3516",
    "agentCode": AGENT_CODE, "agentName": AGENT_NAME, "ownerCode": X_EBC_CODE, "ownerName": X_EBC_NAME,
    "invtNo": X_INVT_NO, "preNo": "B20261126000004567", "ieDate": "20261126", "statisticsFlag": "A",
    "tradeMode": "9610", "trafMode": "2", "trafName": "海峡号", "voyageNo": "HX261126", "billNo": X_BILL_NO,
    "totalPackageNo": "MWP20261126001", "loctNo": "350104", "country": "143", "POD": "TXG",
    "fCurrency": "142", "fFlag": "3", "iCurrency": "142", "iFlag": "3", "wrapType": "2",
    "returnTime": "20261126101200456", "operatorCode": X_OPERATOR_CODE, "operatorName": X_OPERATOR_NAME,
    "domesticTrafNo": "闽A·D2836", "msgCount": 1, "msgSeqNo": 1,
}


def export_order_lines():
    return [dict(gnum=n, itemNo=i["itemNo"], itemName=i["itemName"], itemDescribe=i["itemDescribe"],
                 barCode=i["barCode"], unit=i["unit"], currency="142", qty=i["qty"], price=i["price"],
                 totalPrice=money(i["qty"] * i["price"]))
            for n, i in enumerate(EXPORT_ITEMS, 1)]


def export_inventory_lines():
    return [dict(gnum=n, itemNo=i["itemNo"], itemName=i["itemName"], gcode=i["gcode"], gname=i["gname"],
                 gmodel=i["gmodel"], barCode=i["barCode"], country="143", currency="142", qty=i["qty"],
                 qty1=i["qty1"], unit=i["unit"], unit1=i["unit1"], price=i["price"],
                 totalPrice=money(i["qty"] * i["price"]))
            for n, i in enumerate(EXPORT_ITEMS, 1)]


X_PARCELS = [X_LOGISTICS_NO, "MWX2026112500091", "MWX2026112500094"]
X_INVENTORIES = [X_INVT_NO, "35012026E000004570", "35012026E000004573"]


def receipt(status: str, info: str, **fields):
    return dict(returnStatus=status, returnInfo=info, **fields)


# ---------------------------------------------------------------------------------------------
# Per-message sample data: (base values, head overrides, lines)
# ---------------------------------------------------------------------------------------------


def sample_data():
    """number → (base, head values, lines or None, sender (code, name, dxpId))."""
    imp_sender = (EBP_CODE, EBP_NAME, "DXPENT0000458923")
    d = {}
    d["CEB311"] = (IMPORT, dict(appTime="20261125093000", note="平潭跨境直购订单"), import_order_lines(), imp_sender)
    d["CEB312"] = (IMPORT, receipt("2", "电子口岸申报中[订单新增申报成功]"), None, imp_sender)
    d["CEB411"] = (IMPORT, dict(appTime="20261125093600"), None, (PAY_CODE, PAY_NAME, "DXPENT0000459107"))
    d["CEB412"] = (IMPORT, receipt("120", "海关入库成功"), None, (PAY_CODE, PAY_NAME, "DXPENT0000459107"))
    log_sender = (LOG_CODE, LOG_NAME, "DXPENT0000460215")
    d["CEB511"] = (IMPORT, dict(appTime="20261125094500", orderNo=ORDER_NO, freight=IMPORT_FREIGHT,
                                note="请于工作日派送"), None, log_sender)
    d["CEB512"] = (IMPORT, receipt("120", "海关入库成功"), None, log_sender)
    d["CEB513"] = (IMPORT, dict(appTime="20261128153500", logisticsStatus="S", logisticsTime="20261128153000",
                                note="本人签收"), None, log_sender)
    d["CEB514"] = (IMPORT, receipt("120", "运单状态入库成功", logisticsStatus="S"), None, log_sender)
    agent = (AGENT_CODE, AGENT_NAME, "DXPENT0000461330")
    d["CEB621"] = (IMPORT, dict(appTime="20261125100000", freight=IMPORT_FREIGHT, note="保税备货，平潭金井湾保税仓发货"),
                   import_inventory_lines(), agent)
    d["CEB622"] = (IMPORT, receipt("800", "放行"), None, agent)
    cancel = dict(appTime="20261126090000", reason="消费者取消订单，商品未出区")
    d["CEB623"] = (IMPORT, dict(cancel, copNo="PTCX202611260001"), None, agent)
    d["CEB624"] = (IMPORT, receipt("120", "撤销申请单入库成功", copNo="PTCX202611260001",
                                   preNo="B20261126000000211"), None, agent)
    d["CEB625"] = (IMPORT, dict(appTime="20261203100000", copNo="PTTH202612030001",
                                reason="商品外包装破损，消费者申请退货"),
                   [dict(gnum=1, gcode="1905909000", gname="凤梨酥", qty=Decimal(3), unit="140", note="整单退货")],
                   agent)
    d["CEB626"] = (IMPORT, receipt("120", "退货申请单入库成功", copNo="PTTH202612030001",
                                   preNo="B20261203000000097"), None, agent)
    warehouse = (OPERATOR_CODE, OPERATOR_NAME, "DXPENT0000462004")
    d["CEB711"] = (IMPORT, dict(appTime="20261125080000", copNo="PTRK202611250003", preNo=None, invtNo=None,
                                rkdNo="RK3516202611250003", operatorCode=OPERATOR_CODE, operatorName=OPERATOR_NAME,
                                unloadLocation="金井湾保税仓A区03库位"),
                   [dict(gnum=1, logisticsNo=LOGISTICS_NO), dict(gnum=2, logisticsNo="LD350128000112502"),
                    dict(gnum=3, logisticsNo="LD350128000112503")], warehouse)
    d["CEB712"] = (IMPORT, receipt("120", "入库明细单入库成功", copNo="PTRK202611250003",
                                   preNo="B20261125000000031", rkdNo="RK3516202611250003",
                                   operatorCode=OPERATOR_CODE), None, warehouse)
    d["CEB816"] = (IMPORT, dict(returnTime="20261126101500000", taxNo="TX3516202611260001",
                                customsTax=Decimal("0.00"), valueAddedTax=TAX, consumptionTax=Decimal("0.00"),
                                status="1", note="跨境电商综合税"), tax_lines(), agent)
    d["CEB818"] = (IMPORT, dict(returnTime="20261205100000000", taxNo="TX3516202611260001", status="2",
                                entDutyNo="351620261205000123"), None, agent)
    d["CEB900"] = (IMPORT, dict(returnStatus="-1", returnTime="20261125093000876",
                                returnInfo="报文格式校验失败：OrderHead 中 consigneeDistrict 不是允许的元素",
                                oriCopMsgId="PT2026112500017", oriMessageType="CEB311Message",
                                oriBizMessage="PGNlYjpDRUIzMTFNZXNzYWdlIGd1aWQ9Ii4uLiI+"), None, imp_sender)

    x_sender = (X_EBP_CODE, X_EBP_NAME, "DXPENT0000470021")
    x_ebc = (X_EBC_CODE, X_EBC_NAME, "DXPENT0000470388")
    x_log = (X_LOG_CODE, X_LOG_NAME, "DXPENT0000470540")
    d["CEB303"] = (EXPORT, dict(appTime="20261125201500", note="台湾买家订单"), export_order_lines(), x_sender)
    d["CEB304"] = (EXPORT, receipt("120", "海关入库成功"), None, x_sender)
    d["CEB403"] = (EXPORT, dict(appTime="20261126111000", payCode=PAY_CODE, payName=PAY_NAME,
                                payNo="HXR20261126000088", charge=X_GOODS + X_FREIGHT,
                                accountingDate="20261126110000"), None, x_ebc)
    d["CEB404"] = (EXPORT, receipt("120", "海关入库成功", payNo="HXR20261126000088"), None, x_ebc)
    d["CEB505"] = (EXPORT, dict(appTime="20261126083000", ebcTelephone="0595-23551234"), None, x_log)
    d["CEB506"] = (EXPORT, receipt("120", "海关入库成功"), None, x_log)
    d["CEB507"] = (EXPORT, dict(appTime="20261126120000", copNo="MWYD202611260001", preNo=None,
                                loctNo="350104", logisticsNo=None),
                   [dict(gnum=n, logisticsNo=p, totalPackageNo="MWP20261126001") for n, p in enumerate(X_PARCELS, 1)],
                   (X_OPERATOR_CODE, X_OPERATOR_NAME, "DXPENT0000470777"))
    d["CEB508"] = (EXPORT, receipt("120", "运抵单入库成功", copNo="MWYD202611260001", preNo="B20261126000000512"),
                   None, (X_OPERATOR_CODE, X_OPERATOR_NAME, "DXPENT0000470777"))
    d["CEB509"] = (EXPORT, dict(appTime="20261126170000", copNo="MWLJ202611260001", preNo=None,
                                leaveTime="20261126163000", logisticsNo=None),
                   [dict(gnum=n, logisticsNo=p, totalPackageNo="MWP20261126001") for n, p in enumerate(X_PARCELS, 1)],
                   x_log)
    d["CEB510"] = (EXPORT, receipt("120", "离境单入库成功", copNo="MWLJ202611260001",
                                   preNo="B20261126000000633"), None, x_log)
    d["CEB603"] = (EXPORT, dict(appTime="20261126090000", copNo="DHQD202611260088", preNo=None, invtNo=None,
                                note="9610一般出口"), export_inventory_lines(), (AGENT_CODE, AGENT_NAME, "DXPENT0000461330"))
    d["CEB604"] = (EXPORT, receipt("120", "清单入库成功", copNo="DHQD202611260088"), None,
                   (AGENT_CODE, AGENT_NAME, "DXPENT0000461330"))
    d["CEB605"] = (EXPORT, dict(appTime="20261127090000", copNo="DHCX202611270001", preNo=None,
                                reason="买家取消订单，货物未离境"), None, (AGENT_CODE, AGENT_NAME, "DXPENT0000461330"))
    d["CEB606"] = (EXPORT, receipt("120", "撤销申请单入库成功", copNo="DHCX202611270001",
                                   preNo="B20261127000000041"), None, (AGENT_CODE, AGENT_NAME, "DXPENT0000461330"))
    d["CEB607"] = (EXPORT, dict(appTime="20261126130000", copNo="MWZF202611260001", preNo=None,
                                grossWeight=Decimal("10.80"), logisticsNo=None, invtNo=None),
                   [dict(gnum=n, totalPackageNo="MWP20261126001", logisticsNo=p, invtNo=i)
                    for n, (p, i) in enumerate(zip(X_PARCELS, X_INVENTORIES), 1)],
                   (AGENT_CODE, AGENT_NAME, "DXPENT0000461330"))
    d["CEB608"] = (EXPORT, receipt("120", "清单总分单入库成功", copNo="MWZF202611260001",
                                   preNo="B20261126000000701"), None, (AGENT_CODE, AGENT_NAME, "DXPENT0000461330"))
    summary = dict(copNo="DHHZ202612010001", sumNo="HZ3501202612010017", declAgentCode=DECL_AGENT_CODE,
                   declAgentName=DECL_AGENT_NAME)
    d["CEB701"] = (EXPORT, dict(summary, appTime="20261201090000", preNo=None, sumNo=None, startTime="20261101000000",
                                endTime="20261130235959", summaryFlag="1", itemNameFlag="1", invtNo=None),
                   [dict(invtNo=i) for i in X_INVENTORIES], (AGENT_CODE, AGENT_NAME, "DXPENT0000461330"))
    d["CEB702"] = (EXPORT, receipt("120", "汇总申请单入库成功", **summary, preNo="B20261201000000009"), None,
                   (AGENT_CODE, AGENT_NAME, "DXPENT0000461330"))
    d["CEB792"] = (EXPORT, dict(summary, opDate="20261202100000123", declSeqNo="S35012026120200011",
                                entryId="350120261000123456", decState="10", grossWeight=Decimal("10.80"),
                                netWeight=Decimal("10.20"), note="汇总完成，已生成报关单"),
                   [dict(invtNo=i, logisticsNo=p, gseqno=n, gnum=1, gcode=g)
                    for n, (i, p, g) in enumerate(zip(X_INVENTORIES, X_PARCELS, ["0902301000", "6911101900", "0902301000"]), 1)],
                   (AGENT_CODE, AGENT_NAME, "DXPENT0000461330"))

    # A Taiwanese buyer returns the tea set of inventory X_INVT_NO (9610): the agent applies (CEB213), the
    # supervised warehouse tallies the returned parcel on arrival (CEB215). ieFlag is I for returns.
    back = dict(coElNo="DHTH202612100001", logisticsNo="MWR2026121000012", ieFlag="I", trafMode="2",
                trafName="海峡号", voyageNo="HX261210", billNo="MWHX2612100002", portCode="3516", country="143")
    d["CEB213"] = (EXPORT, dict(back, appTime="20261210090000", preNo=None, tradeMode="9610",
                                reason="买家退货：茶具运输破损"),
                   [dict(gnum=1, gcode="6911101900", gname="瓷制餐具", gmodel="8件套，羊脂白瓷", qty=Decimal(1),
                         qty1=Decimal("2.4"), unit="001", unit1="035", note="整套退回")],
                   (AGENT_CODE, AGENT_NAME, "DXPENT0000461330"))
    d["CEB214"] = (EXPORT, receipt("120", "退货申请单入库成功", coElNo="DHTH202612100001",
                                   preNo="B20261210000000019"), None, (AGENT_CODE, AGENT_NAME, "DXPENT0000461330"))
    d["CEB215"] = (EXPORT, dict(back, coElNo="DHLH202612120001", appTime="20261212100000", preNo=None,
                                location="马尾监管中心退货区B02"), None,
                   (X_OPERATOR_CODE, X_OPERATOR_NAME, "DXPENT0000470777"))
    d["CEB216"] = (EXPORT, receipt("120", "理货明细单入库成功", coElNo="DHLH202612120001",
                                   logisticsNo="MWR2026121000012", preNo="B20261212000000027"), None,
                   (X_OPERATOR_CODE, X_OPERATOR_NAME, "DXPENT0000470777"))

    d["INSP"] = (IMPORT, inspection_head(), inspection_lines(), agent)
    d["PAYEX"] = (IMPORT, dict(
        initalRequest=("https://openapi.hxpay.example.cn/gateway.do?method=trade.create&out_trade_no=" + ORDER_NO +
                       "&total_amount=" + str(PAID) + "&currency=CNY&buyer_id_no=" + BUYER_ID),
        initalResponse='{"code":"10000","msg":"Success","trade_no":"' + PAY_TXN + '","total_amount":"' + str(PAID) + '"}',
        totalAmount=PAID, verDept="3", payType="1", tradingTime="20261125093512",
        note="海关实时获取支付数据", sessionID="8A2C5E7F-1B3D-4F60-9A8B-7C6D5E4F3A21", serviceTime="1764034512000"),
        [dict(orderNo=ORDER_NO,
              goodsInfo='[{"gname":"台湾凤梨酥礼盒","itemLink":"https://mall.pingtan.example.cn/item/TW-PC-0301"},'
                        '{"gname":"澳洲婴幼儿配方奶粉3段","itemLink":"https://mall.pingtan.example.cn/item/AU-MP-0903"}]',
              recpAccount="35050161770109001234", recpCode=EBC_CODE, recpName=EBC_NAME)],
        imp_sender)
    # Answers of the inspection and payment/FX destinations (Clearance-defined, see schemas/README.md).
    d["INSPRET"] = (IMPORT, dict(receipt("800", "检验检疫放行：单证审核通过"), inspOrgCode="351600",
                                 inspEcpCode="3516P00018", inspCbeCode="3516E00023", returnTime="20261125100512345"),
                    None, agent)
    d["PAYEXRET"] = (IMPORT, receipt("120", "支付数据核验通过", returnTime="20261125093700210"), None,
                     (PAY_CODE, PAY_NAME, "DXPENT0000459107"))
    return d


def inspection_head():
    return dict(procTarget="1", agentCode=AGENT_CODE, inspEntCode="3516600001", inspEntName=EBC_NAME,
                inspEcpCode="3516P00018", inspCbeCode="3516E00023", inspCurrUnit="156", inspBizType="1",
                inspTradeCtryCode="158", inspOrgCode="351600")


def inspection_lines():
    return [dict(gnum=1, inspCurrUnit="156", inspOriCtryCode="158", inspQtyUnitCode="140", inspPackNumber=3,
                 inspPackTypeCode="4M", inspProdSpecs="300克/盒", inspGrossWeight=Decimal("1.05"),
                 inspProdCbecCode="3516CB000031"),
            dict(gnum=2, inspCurrUnit="156", inspOriCtryCode="036", inspQtyUnitCode="122", inspPackNumber=2,
                 inspPackTypeCode="4M", inspProdSpecs="900克/罐", inspGrossWeight=Decimal("2.05"),
                 inspProdCbecCode="3516CB000877")]


# ---------------------------------------------------------------------------------------------
# XML
# ---------------------------------------------------------------------------------------------


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def text_of(value) -> str:
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def record_values(rec, base: dict, values: dict, number: str, context: str, strict: bool = True) -> list:
    """(name, text) of the record's fields in spec order: explicit values, then the base."""
    out = []
    for f in rec.fields:
        if f.name in values:
            value = values[f.name]
        elif f.name == "guid":
            value = guid(f"{number}:{context}")
        else:
            value = base.get(f.name)
        if value is None:
            if f.required and strict:
                raise SystemExit(f"cebsamples: {number} {rec.element} has no value for required {f.name}")
            continue
        out.append((f.name, text_of(value)))
    return out


def record_xml(element: str, pairs: list, indent: str, prefix: str = "ceb:") -> list:
    out = [f"{indent}<{prefix}{element}>"]
    for name, value in pairs:
        out.append(f"{indent}  <{prefix}{name}>{escape(value)}</{prefix}{name}>")
    out.append(f"{indent}</{prefix}{element}>")
    return out


def document_xml(m, head_pairs, lines_pairs, indent="  ", prefix="ceb:") -> list:
    if m.flat:
        return record_xml(m.element, head_pairs, indent, prefix)
    out = [f"{indent}<{prefix}{m.element}>"]
    out += record_xml(m.head.element, head_pairs, indent + "  ", prefix)
    for pairs in lines_pairs:
        out += record_xml(m.lines.element, pairs, indent + "  ", prefix)
    out.append(f"{indent}</{prefix}{m.element}>")
    return out


class Sample:
    """One message, built from the sample data with optional changes (for invalid samples)."""

    def __init__(self, spec, number: str):
        self.spec = spec
        self.m = next(m for m in spec.MESSAGES if m.number == number)
        base, head, lines, sender = sample_data()[number]
        self.base, self.head, self.lines, self.sender = base, dict(head), [dict(x) for x in (lines or [])], sender
        self.root_guid = guid(f"{number}:message")
        self.subscribe = False
        self.extend = None
        self.base_transfer = True
        self.extra_head = ""
        self.encoding = "UTF-8"
        self.prolog_extra = ""
        self.strict = True

    def xml(self) -> str:
        m = self.m
        head_pairs = record_values(m.head, self.base, self.head, m.number, "doc1", self.strict)
        lines_pairs = [record_values(m.lines, {}, line, m.number, f"line{n}") for n, line in enumerate(self.lines, 1)] \
            if m.lines else []
        out = [f'<?xml version="1.0" encoding="{self.encoding}"?>']
        if self.prolog_extra:
            out.append(self.prolog_extra)
        out.append(f'<ceb:{m.root} guid="{self.root_guid}" version="1.0" xmlns:ceb="{CEB_NS}" '
                   f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">')
        doc = document_xml(m, head_pairs, lines_pairs)
        if self.extra_head:
            close = next(i for i, line in enumerate(doc) if line.strip() == f"</ceb:{m.head.element}>")
            doc.insert(close, doc[close].split("<")[0] + "  " + self.extra_head)
        out += doc
        if self.base_transfer and m.part("BaseTransfer"):
            code, name, dxp = self.sender
            out += record_xml("BaseTransfer", [("copCode", code), ("copName", name), ("dxpMode", "DXP"),
                                               ("dxpId", dxp)], "  ")
        if self.subscribe:
            out += record_xml("BaseSubscribe", [("status", "120,800"), ("dxpMode", "DXP"),
                                                ("dxpAddress", "DXPENT0000462004"),
                                                ("note", "仓储企业订阅清单放行回执")], "  ")
        if self.extend:
            out += self.extend
        out.append(f"</ceb:{m.root}>")
        return "\n".join(out) + "\n"


def inspection_extend(spec) -> list:
    """An ExtendMessage carrying the inspection InspOrder in no namespace, as single windows send it."""
    m = next(x for x in spec.MESSAGES if x.number == "INSP")
    head = record_values(m.head, {}, inspection_head(), "INSP", "extend")
    lines = [record_values(m.lines, {}, line, "INSP", f"extend{n}") for n, line in enumerate(inspection_lines(), 1)]
    out = ["  <ceb:ExtendMessage>", "    <ceb:name>InspOrder</ceb:name>", "    <ceb:version>1.0</ceb:version>",
           "    <ceb:Message>"]
    out += document_xml(m, head, lines, indent="      ", prefix="")
    out += ["    </ceb:Message>", "  </ceb:ExtendMessage>"]
    return out


SLUGS = {
    "CEB311": "order", "CEB312": "order-return", "CEB411": "payment", "CEB412": "payment-return",
    "CEB511": "logistics", "CEB512": "logistics-return", "CEB513": "logistics-status",
    "CEB514": "logistics-status-return", "CEB621": "inventory", "CEB622": "inventory-return",
    "CEB623": "inventory-cancel", "CEB624": "inventory-cancel-return", "CEB625": "inventory-refund",
    "CEB626": "inventory-refund-return", "CEB711": "delivery", "CEB712": "delivery-return", "CEB816": "tax-bill",
    "CEB818": "tax-status", "CEB900": "format-error", "CEB303": "export-order", "CEB304": "export-order-return",
    "CEB403": "payment-receipt", "CEB404": "payment-receipt-return", "CEB505": "export-logistics",
    "CEB506": "export-logistics-return", "CEB507": "arrival", "CEB508": "arrival-return", "CEB509": "departure",
    "CEB510": "departure-return", "CEB603": "export-inventory", "CEB604": "export-inventory-return",
    "CEB605": "export-inventory-cancel", "CEB606": "export-inventory-cancel-return", "CEB607": "waybill",
    "CEB608": "waybill-return", "CEB701": "summary-apply", "CEB702": "summary-apply-return",
    "CEB792": "summary-result", "CEB213": "export-return", "CEB214": "export-return-return",
    "CEB215": "export-return-tally", "CEB216": "export-return-tally-return", "INSP": "inspection-order", "PAYEX": "payment-exchange-info",
    "INSPRET": "inspection-return", "PAYEXRET": "payment-exchange-return",
}


# ---------------------------------------------------------------------------------------------
# Invalid samples: each breaks one thing
# ---------------------------------------------------------------------------------------------


def invalid_cases(spec):
    """(file stem, number, code, what it breaks, change(sample))."""

    def head(**changes):
        def apply(s):
            s.head.update(changes)
        return apply

    def line(index, **changes):
        def apply(s):
            s.lines[index].update(changes)
        return apply

    def over_limit(s):
        items = [dict(IMPORT_ITEMS[0]), dict(IMPORT_ITEMS[1], qty=Decimal(20))]
        goods, tax, paid = import_amounts(items)
        s.lines = import_order_lines(items)
        s.head.update(goodsValue=goods, taxTotal=tax, acturalPaid=paid)

    def no_lines(s):
        s.lines = []

    def extra_element(s):
        s.extra_head = "<ceb:couponNo>PTQ2026</ceb:couponNo>"

    def no_base_transfer(s):
        s.base_transfer = False

    def root_guid(value):
        def apply(s):
            s.root_guid = value
        return apply

    cases = [
        ("CEB311-SCH001-missing-orderNo", "CEB311", "SCH001", "OrderHead without orderNo", head(orderNo=None)),
        ("CEB511-SCH001-missing-consignee", "CEB511", "SCH001", "LogisticsHead without consignee", head(consignee=None)),
        ("CEB621-SCH001-missing-BaseTransfer", "CEB621", "SCH001", "message without BaseTransfer", no_base_transfer),
        ("CEB311-SCH002-orderNo-too-long", "CEB311", "SCH002", "orderNo of 61 characters", head(orderNo="PT" + "0" * 59)),
        ("CEB311-SCH002-root-guid-35-characters", "CEB311", "SCH002", "root guid of 35 characters",
         root_guid(guid("CEB311:message")[:35])),
        ("CEB311-SCH003-appType-4", "CEB311", "SCH003", "appType 4 is not 1/2/3", head(appType="4")),
        ("CEB411-SCH003-payerIdType-3", "CEB411", "SCH003", "payerIdType 3 is not 1/2", head(payerIdType="3")),
        ("CEB603-SCH003-fFlag-4", "CEB603", "SCH003", "fFlag 4 is not 1/2/3", head(fFlag="4")),
        ("CEB311-SCH004-goodsValue-with-unit", "CEB311", "SCH004", "goodsValue '742.00元'",
         head(goodsValue=str(GOODS) + "元")),
        ("CEB621-SCH004-price-six-decimals", "CEB621", "SCH004", "price with 6 decimals",
         line(0, price="88.000001")),
        ("CEB621-SCH005-packNo-not-integer", "CEB621", "SCH005", "packNo 1.5", head(packNo="1.5")),
        ("CEB311-SCH006-appTime-iso-format", "CEB311", "SCH006", "appTime 2026-11-25 09:30:00",
         head(appTime="2026-11-25 09:30:00")),
        ("CEB622-SCH006-returnTime-14-digits", "CEB622", "SCH006", "returnTime without milliseconds",
         head(returnTime="20261125093601")),
        ("CEB311-SCH007-unexpected-element", "CEB311", "SCH007", "couponNo is not an OrderHead element", extra_element),
        ("CEB311-SCH008-no-OrderList", "CEB311", "SCH008", "order without lines", no_lines),
        ("CEB607-SCH008-no-WayBillList", "CEB607", "SCH008", "manifest without lines", no_lines),
        ("CEB311-RUL001-line-total", "CEB311", "RUL001", "price 89.00 × 3 ≠ totalPrice 264.00",
         line(0, price=Decimal("89.00"))),
        ("CEB311-RUL002-goodsValue", "CEB311", "RUL002", "goodsValue 10 more than the lines (acturalPaid follows)",
         head(goodsValue=GOODS + 10, acturalPaid=PAID + 10)),
        ("CEB311-RUL003-acturalPaid", "CEB311", "RUL003", "acturalPaid one cent off", head(acturalPaid=PAID + Decimal("0.01"))),
        ("CEB311-RUL004-over-5000", "CEB311", "RUL004", "20 tins of formula: ¥5,054 with freight", over_limit),
        ("CEB311-RUL005-buyer-id-checksum", "CEB311", "RUL005", "buyerIdNumber with a wrong check digit",
         head(buyerIdNumber=wrong_check(BUYER_ID, "0123456789X"))),
        ("CEB411-RUL005-payer-id-checksum", "CEB411", "RUL005", "payerIdNumber with a wrong check digit",
         head(payerIdNumber=wrong_check(BUYER_ID, "0123456789X"))),
        ("CEB311-RUL006-ebpCode-checksum", "CEB311", "RUL006", "ebpCode with a wrong GB 32100 check character",
         head(ebpCode=wrong_check(EBP_CODE, USCC_ALPHABET))),
        # CEB213 is the one record whose official gcode is "at most 10" (elsewhere exactly 10: SCH002).
        ("CEB213-RUL007-gcode-8-digits", "CEB213", "RUL007", "gcode of 8 digits", line(0, gcode="69111019")),
        ("CEB621-RUL008-country-999", "CEB621", "RUL008", "origin country 999", line(1, country="999")),
        ("CEB303-RUL009-currency-iso-156", "CEB303", "RUL009", "ISO numeric 156 instead of customs 142",
         head(currency="156")),
        ("CEB311-SCH003-currency-156", "CEB311", "SCH003", "import currency is fixed to 142 by the official schema",
         head(currency="156")),
        ("CEB621-RUL010-unit-PCS", "CEB621", "RUL010", "unit PCS", line(0, unit="PCS")),
        ("CEB311-RUL011-february-30", "CEB311", "RUL011", "appTime on 30 February", head(appTime="20260230093000")),
        ("CEB311-RUL012-orderType-E", "CEB311", "RUL012", "orderType E in an import order", head(orderType="E")),
        ("CEB603-RUL012-ieFlag-I", "CEB603", "RUL012", "ieFlag I in an export inventory", head(ieFlag="I")),
        ("CEB311-WRN001-lower-case-guid", "CEB311", "WRN001", "root guid in lower case",
         root_guid(guid("CEB311:message").lower())),
        ("CEB311-WRN002-declared-unsigned", "CEB311", "WRN002", "appStatus 2 without ds:Signature", head(appStatus="2")),
    ]
    # Every other message type gets one invalid sample too: its first required head field
    # after the common ones (guid, appType, appTime, appStatus) left out.
    covered = {number for _, number, _, _, _ in cases}
    common = {"guid", "appType", "appTime", "appStatus"}
    for m in spec.MESSAGES:
        if m.number in covered:
            continue
        field = next((f.name for f in m.head.fields if f.required and f.name not in common), None) \
            or next(f.name for f in m.head.fields if f.required)
        cases.append((f"{m.number}-SCH001-missing-{field}", m.number, "SCH001", f"{m.head.element} without {field}",
                      head(**{field: None})))
    return cases


def signed_numbers(spec) -> set:
    """Messages whose official schema requires `ds:Signature` (CEB621, 623, 625, 711)."""
    return {m.number for m in spec.MESSAGES if any(p.name == "Signature" and p.min_occurs >= 1 for p in m.parts)}


def samples(spec) -> dict:
    """Every sample file by path. A message customs wants signed is written to samples/unsigned/, as a
    merchant hands it to Clearance to sign; scripts/sign-samples.sh signs it into samples/valid/ with
    the public sample key (samples/keys/)."""
    files = {}
    signed = signed_numbers(spec)

    def valid(number: str, name: str) -> str:
        return f"samples/{'unsigned' if number in signed else 'valid'}/{name}"

    for m in spec.MESSAGES:
        s = Sample(spec, m.number)
        if m.number == "CEB621":
            s.subscribe = True
        files[valid(m.number, f"{m.number}-{SLUGS[m.number]}.xml")] = s.xml()
    # Encodings older senders use, and the inspection data inside ExtendMessage.
    gbk = Sample(spec, "CEB311")
    gbk.encoding = "GBK"
    gbk.root_guid = guid("CEB311:gbk")
    files[valid("CEB311", "CEB311-order-gbk.xml")] = gbk.xml().encode("gbk")
    bom = Sample(spec, "CEB621")
    bom.root_guid = guid("CEB621:bom")
    files[valid("CEB621", "CEB621-inventory-utf8-bom.xml")] = b"\xef\xbb\xbf" + bom.xml().encode("utf-8")
    insp = Sample(spec, "CEB621")
    insp.root_guid = guid("CEB621:inspection")
    insp.extend = inspection_extend(spec)
    files[valid("CEB621", "CEB621-inventory-with-inspection.xml")] = insp.xml()

    expected = ["# file\tcode\twhat it breaks (generated by scripts/cebspec.py)"]
    for stem, number, code, why, change in invalid_cases(spec):
        s = Sample(spec, number)
        s.strict = False
        change(s)
        files[f"samples/invalid/{stem}.xml"] = s.xml()
        expected.append(f"{stem}.xml\t{code}\t{why}")
    ok = Sample(spec, "CEB311").xml()
    files["samples/invalid/CEB311-XML001-malformed.xml"] = ok.replace("</ceb:OrderHead>", "</ceb:OrderHeader>", 1)
    expected.append("CEB311-XML001-malformed.xml\tXML001\tOrderHead closed by a mismatched end tag")
    lines = ok.split("\n", 1)
    files["samples/invalid/CEB311-XML003-doctype.xml"] = (
        lines[0] + '\n<!DOCTYPE ceb:CEB311Message [ <!ENTITY shop "平潭海峡跨境电子商务平台有限公司"> ]>\n' +
        lines[1].replace(f"<ceb:ebpName>{EBP_NAME}</ceb:ebpName>", "<ceb:ebpName>&shop;</ceb:ebpName>", 1))
    expected.append("CEB311-XML003-doctype.xml\tXML003\tDOCTYPE with an internal entity")
    files["samples/invalid/EXPECTED.tsv"] = "\n".join(expected) + "\n"
    return files
