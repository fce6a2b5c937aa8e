import CEBModel
import XMLStreaming

/// Collects what a decoder reports.
final class Collector: CEBDocumentSink {
    var headers: [MessageHeader] = []
    var documents: [(CEBDocument, DocumentContext)] = []
    var envelopes: [MessageEnvelope] = []

    func messageStarted(_ header: MessageHeader) { headers.append(header) }
    func document(_ decode: () -> CEBDocument, context: DocumentContext) { documents.append((decode(), context)) }
    func messageFinished(_ envelope: MessageEnvelope) { envelopes.append(envelope) }

    var issues: [ValidationIssue] { documents.flatMap { $0.1.issues } + envelopes.flatMap { $0.issues } }
}

/// Decodes `text` in chunks of `chunk` bytes.
func decode(_ text: String, chunk: Int = 4096, limits: CEBLimits = .standard, rules: (any RecordRules)? = nil) -> (Collector, XMLStreamError?) {
    let collector = Collector()
    let decoder = CEBDecoder(limits: limits, rules: rules, sink: collector)
    let bytes = Array(text.utf8)
    do throws(XMLStreamError) {
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            try decoder.feed(Array(bytes[offset..<end]))
            offset = end
        }
        try decoder.finish()
        return (collector, nil)
    } catch {
        return (collector, error)
    }
}

/// A CEB311 order document with two lines that add up; `head` replaces fields by name.
func orderXML(orderNo: String = "ORD20261125001", head overrides: [String: String?] = [:], extraLine: String = "") -> String {
    var fields: [(String, String?)] = [
        ("guid", "9A6E5B7C-1D2E-4F30-8A9B-0C1D2E3F4A5B"), ("appType", "1"), ("appTime", "20261125093000"), ("appStatus", "1"),
        ("orderType", "I"), ("orderNo", orderNo), ("ebpCode", "3501960A0B"), ("ebpName", "平潭跨境电商平台"),
        ("ebcCode", "3501960A0C"), ("ebcName", "福州海峡电商有限公司"), ("goodsValue", "300.00"), ("freight", "10.00"),
        ("discount", "0"), ("taxTotal", "27.51"), ("acturalPaid", "337.51"), ("currency", "142"),
        ("buyerRegNo", "buyer001"), ("buyerName", "林小明"), ("buyerTelephone", "13800001111"), ("buyerIdType", "1"),
        ("buyerIdNumber", "350102199001010016"), ("consignee", "林小明"), ("consigneeTelephone", "13800001111"),
        ("consigneeAddress", "福建省平潭综合实验区金井湾大道1号"),
    ]
    for (name, value) in overrides {
        if let index = fields.firstIndex(where: { $0.0 == name }) { fields[index].1 = value } else { fields.append((name, value)) }
    }
    let headXML = fields.compactMap { name, value in value.map { "<ceb:\(name)>\($0)</ceb:\(name)>" } }.joined(separator: "\n        ")
    return """
        <ceb:Order>
          <ceb:OrderHead>
            \(headXML)
          </ceb:OrderHead>
          <ceb:OrderList><ceb:gnum>1</ceb:gnum><ceb:itemNo>TW-TEA-001</ceb:itemNo><ceb:itemName>高山乌龙茶</ceb:itemName><ceb:gmodel>150g/罐</ceb:gmodel><ceb:unit>011</ceb:unit><ceb:qty>2</ceb:qty><ceb:price>100.00</ceb:price><ceb:totalPrice>200.00</ceb:totalPrice><ceb:currency>142</ceb:currency><ceb:country>143</ceb:country></ceb:OrderList>
          <ceb:OrderList><ceb:gnum>2</ceb:gnum><ceb:itemNo>TW-CAKE-002</ceb:itemNo><ceb:itemName>凤梨酥</ceb:itemName><ceb:gmodel>12入/盒</ceb:gmodel><ceb:unit>011</ceb:unit><ceb:qty>1</ceb:qty><ceb:price>100.00</ceb:price><ceb:totalPrice>100.00</ceb:totalPrice><ceb:currency>142</ceb:currency><ceb:country>143</ceb:country></ceb:OrderList>
          \(extraLine)
        </ceb:Order>
        """
}

/// A CEB311 message around `documents`.
func message311(_ documents: [String], guid: String = "4CDE1CFD-EDED-46B1-946C-B8022E42FC94", signature: String = "") -> String {
    """
    <?xml version="1.0" encoding="UTF-8"?>
    <ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" guid="\(guid)" version="1.0">
    \(documents.joined(separator: "\n"))
      <ceb:BaseTransfer>
        <ceb:copCode>3501960A0B</ceb:copCode>
        <ceb:copName>平潭跨境电商平台</ceb:copName>
        <ceb:dxpMode>DXP</ceb:dxpMode>
        <ceb:dxpId>DXPENT0000012345</ceb:dxpId>
      </ceb:BaseTransfer>
    \(signature)
    </ceb:CEB311Message>
    """
}
