import Foundation

/// A month of retail exports (9610) for tests: per shipment the export order (CEB303), receipt of
/// payment (CEB403), waybill (CEB505) and inventory (CEB603), then one arrival (CEB507) and one
/// departure (CEB509) notice over the parcels. The goods and grouping facts are kept as plain data
/// (``Shipment``) so a test can work out the summary declarations on its own, without Clearance's code.
public struct ExportMonth: Sendable {
    /// One goods line.
    public struct Line: Sendable, Hashable {
        public var gcode: String
        public var country: String
        public var currency: String
        public var qty: String
        public var qty1: String
        public var unit1: String
        public var price: String
        public var totalPrice: String
    }

    /// One export shipment's facts.
    public struct Shipment: Sendable, Hashable {
        public var index: Int
        public var ebcCode: String
        public var ownerCode: String
        public var trafMode: String
        public var country: String
        public var portCode: String
        public var ieDate: String
        public var statisticsFlag: String
        public var lines: [Line]
        public var orderNo: String { "EXO\(index)" }
        public var logisticsNo: String { "EXL\(index)" }
        public var copNo: String { "EXC\(index)" }
        public var payNo: String { "EXP\(index)" }
        /// Head guid of the inventory.
        public var inventoryGuid: String { ExportMonth.guid(4, index) }
    }

    public static let enterprises = ["91350526MA8U2F0N32", "91350105MA8EXP0009"]
    public static let platform = "91350105MA8UDK3C62"
    public static let logistics = "91350105MA8PQ2WT9P"
    public static let agent = "3516980E2K"

    public var shipments: [Shipment]

    /// `count` shipments of October 2026 for the two enterprises, varying producer/seller, destination
    /// country, exit port, transport mode, HS codes, final countries and currencies; every seventh is
    /// simplified (statisticsFlag A) and the last of each enterprise is exported in November.
    public static func make(count: Int, seed: Int = 0) -> ExportMonth {
        let codes = ["0902301000", "6911101900", "4202920000"]
        var shipments: [Shipment] = []
        for i in 0..<count {
            let n = seed * 10_000 + i
            let ebc = enterprises[i % 2]
            let lineCount = 1 + i % 2
            let lines = (0..<lineCount).map { g -> Line in
                let qty = 1 + (i + g) % 4
                let price = ["65.10", "420.00", "19.99"][(i + g) % 3]
                let total = decimalTimes(price, qty)
                return Line(gcode: codes[(i + g) % 3], country: ["143", "502"][(i / 3 + g) % 2], currency: ["142", "502"][(i / 5) % 2],
                            qty: String(qty), qty1: "\(qty).5", unit1: "035", price: price, totalPrice: total)
            }
            let lastOfEnterprise = i >= count - 2
            shipments.append(Shipment(
                index: n, ebcCode: ebc, ownerCode: i % 4 < 2 ? ebc : "91350526MA8QWNER0F", trafMode: i % 6 == 5 ? "5" : "2",
                country: ["143", "502"][(i / 2) % 2], portCode: i % 5 == 4 ? "3501" : "3516",
                ieDate: lastOfEnterprise ? "20261102" : String(format: "202610%02d", 1 + i % 28),
                statisticsFlag: i % 7 == 6 ? "A" : "B", lines: lines))
        }
        return ExportMonth(shipments: shipments)
    }

    /// `price × qty` as text with two decimals (exact: prices have two decimals).
    static func decimalTimes(_ price: String, _ qty: Int) -> String {
        let cents = Int(price.replacingOccurrences(of: ".", with: ""))! * qty
        return "\(cents / 100).\(String(format: "%02d", cents % 100))"
    }

    /// A 36-character guid unique per document kind and shipment; its first nine digits differ per shipment.
    public static func guid(_ kind: Int, _ n: Int) -> String {
        String(format: "%08d-%04d-4000-8000-%012d", n, kind, n)
    }

    static func transfer() -> String {
        """
          <ceb:BaseTransfer>
            <ceb:copCode>\(agent)</ceb:copCode>
            <ceb:copName>平潭综合实验区通关服务有限公司</ceb:copName>
            <ceb:dxpMode>DXP</ceb:dxpMode>
            <ceb:dxpId>DXPENT0000461330</ceb:dxpId>
          </ceb:BaseTransfer>
        """
    }

    static func message(_ type: String, guid: String, body: String) -> [UInt8] {
        Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <ceb:\(type)Message guid="\(guid)" version="1.0" xmlns:ceb="http://www.chinaport.gov.cn/ceb" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
            \(body)
            \(transfer())
            </ceb:\(type)Message>

            """.utf8)
    }

    /// Σ line totals of a shipment, as text with two decimals.
    public static func goodsValue(_ s: Shipment) -> String {
        let cents = s.lines.reduce(0) { $0 + Int($1.totalPrice.replacingOccurrences(of: ".", with: ""))! }
        return "\(cents / 100).\(String(format: "%02d", cents % 100))"
    }

    public static func order(_ s: Shipment) -> [UInt8] {
        let lines = s.lines.enumerated().map { g, l in """
            <ceb:OrderList><ceb:gnum>\(g + 1)</ceb:gnum><ceb:itemNo>IT\(l.gcode)</ceb:itemNo><ceb:itemName>商品\(l.gcode)</ceb:itemName><ceb:unit>140</ceb:unit><ceb:currency>\(s.lines[0].currency)</ceb:currency><ceb:qty>\(l.qty)</ceb:qty><ceb:price>\(l.price)</ceb:price><ceb:totalPrice>\(l.totalPrice)</ceb:totalPrice></ceb:OrderList>
            """ }.joined()
        return message("CEB303", guid: guid(11, s.index), body: """
            <ceb:Order><ceb:OrderHead><ceb:guid>\(guid(1, s.index))</ceb:guid><ceb:appType>1</ceb:appType><ceb:appTime>20261001090000</ceb:appTime><ceb:appStatus>2</ceb:appStatus><ceb:orderType>E</ceb:orderType><ceb:orderNo>\(s.orderNo)</ceb:orderNo><ceb:ebpCode>\(platform)</ceb:ebpCode><ceb:ebpName>平台</ceb:ebpName><ceb:ebcCode>\(s.ebcCode)</ceb:ebcCode><ceb:ebcName>电商企业</ceb:ebcName><ceb:goodsValue>\(goodsValue(s))</ceb:goodsValue><ceb:freight>0</ceb:freight><ceb:currency>\(s.lines[0].currency)</ceb:currency></ceb:OrderHead>\(lines)</ceb:Order>
            """)
    }

    public static func paymentReceipt(_ s: Shipment) -> [UInt8] {
        message("CEB403", guid: guid(12, s.index), body: """
            <ceb:Receipts><ceb:guid>\(guid(2, s.index))</ceb:guid><ceb:appType>1</ceb:appType><ceb:appTime>20261001100000</ceb:appTime><ceb:appStatus>2</ceb:appStatus><ceb:ebpCode>\(platform)</ceb:ebpCode><ceb:ebpName>平台</ceb:ebpName><ceb:ebcCode>\(s.ebcCode)</ceb:ebcCode><ceb:ebcName>电商企业</ceb:ebcName><ceb:orderNo>\(s.orderNo)</ceb:orderNo><ceb:payCode>91350102MA31C9UE4Q</ceb:payCode><ceb:payName>支付</ceb:payName><ceb:payNo>\(s.payNo)</ceb:payNo><ceb:charge>\(goodsValue(s))</ceb:charge><ceb:currency>\(s.lines[0].currency)</ceb:currency><ceb:accountingDate>20261001100000</ceb:accountingDate></ceb:Receipts>
            """)
    }

    public static func waybill(_ s: Shipment) -> [UInt8] {
        message("CEB505", guid: guid(13, s.index), body: """
            <ceb:Logistics><ceb:guid>\(guid(3, s.index))</ceb:guid><ceb:appType>1</ceb:appType><ceb:appTime>20261001110000</ceb:appTime><ceb:appStatus>2</ceb:appStatus><ceb:logisticsCode>\(logistics)</ceb:logisticsCode><ceb:logisticsName>物流</ceb:logisticsName><ceb:logisticsNo>\(s.logisticsNo)</ceb:logisticsNo><ceb:freight>0</ceb:freight><ceb:insuredFee>0</ceb:insuredFee><ceb:currency>142</ceb:currency><ceb:grossWeight>2.5</ceb:grossWeight><ceb:packNo>1</ceb:packNo><ceb:goodsInfo>货物</ceb:goodsInfo><ceb:ebcCode>\(s.ebcCode)</ceb:ebcCode><ceb:ebcName>电商企业</ceb:ebcName><ceb:ebcTelephone>0591-1234567</ceb:ebcTelephone></ceb:Logistics>
            """)
    }

    public static func inventory(_ s: Shipment) -> [UInt8] {
        let lines = s.lines.enumerated().map { g, l in """
            <ceb:InventoryList><ceb:gnum>\(g + 1)</ceb:gnum><ceb:itemNo>IT\(l.gcode)</ceb:itemNo><ceb:itemName>商品\(l.gcode)</ceb:itemName><ceb:gcode>\(l.gcode)</ceb:gcode><ceb:gname>品名</ceb:gname><ceb:gmodel>规格</ceb:gmodel><ceb:barCode>无</ceb:barCode><ceb:country>\(l.country)</ceb:country><ceb:currency>\(l.currency)</ceb:currency><ceb:qty>\(l.qty)</ceb:qty><ceb:qty1>\(l.qty1)</ceb:qty1><ceb:unit>140</ceb:unit><ceb:unit1>\(l.unit1)</ceb:unit1><ceb:price>\(l.price)</ceb:price><ceb:totalPrice>\(l.totalPrice)</ceb:totalPrice></ceb:InventoryList>
            """ }.joined()
        return message("CEB603", guid: guid(14, s.index), body: """
            <ceb:Inventory><ceb:InventoryHead><ceb:guid>\(s.inventoryGuid)</ceb:guid><ceb:appType>1</ceb:appType><ceb:appTime>20261001120000</ceb:appTime><ceb:appStatus>2</ceb:appStatus><ceb:customsCode>3501</ceb:customsCode><ceb:ebpCode>\(platform)</ceb:ebpCode><ceb:ebpName>平台</ceb:ebpName><ceb:orderNo>\(s.orderNo)</ceb:orderNo><ceb:logisticsCode>\(logistics)</ceb:logisticsCode><ceb:logisticsName>物流</ceb:logisticsName><ceb:logisticsNo>\(s.logisticsNo)</ceb:logisticsNo><ceb:copNo>\(s.copNo)</ceb:copNo><ceb:ieFlag>E</ceb:ieFlag><ceb:portCode>\(s.portCode)</ceb:portCode><ceb:ieDate>\(s.ieDate)</ceb:ieDate><ceb:statisticsFlag>\(s.statisticsFlag)</ceb:statisticsFlag><ceb:agentCode>\(agent)</ceb:agentCode><ceb:agentName>通关服务</ceb:agentName><ceb:ebcCode>\(s.ebcCode)</ceb:ebcCode><ceb:ebcName>电商企业</ceb:ebcName><ceb:ownerCode>\(s.ownerCode)</ceb:ownerCode><ceb:ownerName>生产销售单位</ceb:ownerName><ceb:tradeMode>9610</ceb:tradeMode><ceb:trafMode>\(s.trafMode)</ceb:trafMode><ceb:country>\(s.country)</ceb:country><ceb:POD>TXG</ceb:POD><ceb:freight>0</ceb:freight><ceb:fCurrency>142</ceb:fCurrency><ceb:fFlag>3</ceb:fFlag><ceb:insuredFee>0</ceb:insuredFee><ceb:iCurrency>142</ceb:iCurrency><ceb:iFlag>3</ceb:iFlag><ceb:wrapType>2</ceb:wrapType><ceb:packNo>1</ceb:packNo><ceb:grossWeight>2.5</ceb:grossWeight><ceb:netWeight>2.0</ceb:netWeight></ceb:InventoryHead>\(lines)</ceb:Inventory>
            """)
    }

    /// The arrival (kind 5) or departure (kind 6) notice listing these shipments' parcels.
    public static func notice(departure: Bool, _ shipments: [Shipment], tag: Int) -> [UInt8] {
        let list = departure ? "DepartureList" : "ArrivalList"
        let lines = shipments.enumerated().map { g, s in
            "<ceb:\(list)><ceb:gnum>\(g + 1)</ceb:gnum>" + (departure ? "<ceb:totalPackageNo>P1</ceb:totalPackageNo><ceb:logisticsNo>\(s.logisticsNo)</ceb:logisticsNo>"
                : "<ceb:logisticsNo>\(s.logisticsNo)</ceb:logisticsNo><ceb:totalPackageNo>P1</ceb:totalPackageNo>") + "</ceb:\(list)>"
        }.joined()
        if departure {
            return message("CEB509", guid: guid(16, tag), body: """
                <ceb:Departure><ceb:DepartureHead><ceb:guid>\(guid(6, tag))</ceb:guid><ceb:appType>1</ceb:appType><ceb:appTime>20261030170000</ceb:appTime><ceb:appStatus>2</ceb:appStatus><ceb:customsCode>3501</ceb:customsCode><ceb:copNo>DEP\(tag)</ceb:copNo><ceb:logisticsCode>\(logistics)</ceb:logisticsCode><ceb:logisticsName>物流</ceb:logisticsName><ceb:trafMode>2</ceb:trafMode><ceb:billNo>B\(tag)</ceb:billNo><ceb:leaveTime>20261030163000</ceb:leaveTime><ceb:msgCount>1</ceb:msgCount><ceb:msgSeqNo>1</ceb:msgSeqNo></ceb:DepartureHead>\(lines)</ceb:Departure>
                """)
        }
        return message("CEB507", guid: guid(15, tag), body: """
            <ceb:Arrival><ceb:ArrivalHead><ceb:guid>\(guid(5, tag))</ceb:guid><ceb:appType>1</ceb:appType><ceb:appTime>20261030120000</ceb:appTime><ceb:appStatus>2</ceb:appStatus><ceb:customsCode>3501</ceb:customsCode><ceb:copNo>ARR\(tag)</ceb:copNo><ceb:operatorCode>3501960A0C</ceb:operatorCode><ceb:operatorName>监管仓</ceb:operatorName><ceb:ieFlag>E</ceb:ieFlag><ceb:trafMode>2</ceb:trafMode><ceb:billNo>B\(tag)</ceb:billNo><ceb:domesticTrafNo>闽A12345</ceb:domesticTrafNo><ceb:logisticsCode>\(logistics)</ceb:logisticsCode><ceb:logisticsName>物流</ceb:logisticsName><ceb:msgCount>1</ceb:msgCount><ceb:msgSeqNo>1</ceb:msgSeqNo></ceb:ArrivalHead>\(lines)</ceb:Arrival>
            """)
    }
}
