import ClearanceStore

extension DemoSamples {
    /// What the sample platform deposits for the sample payment (`HXPAY2026112509351200001`): the
    /// request it sent to the payment provider and the response it got, the payee, and a product page
    /// per order line. Invented for the demo, in the shape a payment gateway's form post and JSON
    /// answer take; the buyer's card and ID numbers in it are masked in every view.
    static let paymentOriginal = PaymentOriginal(
        payTransactionId: "HXPAY2026112509351200001", orderNo: "PT202611250001", enterpriseCode: "91350128MA8T4K2Q5P",
        initalRequest: "POST https://gateway.strait-pay.example/pay orderNo=PT202611250001&amount=800.43&currency=CNY"
            + "&cardNo=6222020200112233445&idNo=350128199003070024&payerName=陈思远",
        initalResponse: #"{"result":"SUCCESS","tradeNo":"HXPAY2026112509351200001","amount":"800.43","payTime":"20261125093512"}"#,
        verDept: "3", payType: "1", recpAccount: "35050187000700001234", recpCode: "91350128MA8T4K2Q5P",
        recpName: "平潭海峡跨境电子商务平台有限公司",
        itemLinks: [1: "https://shop.pingtan.example/item/1", 2: "https://shop.pingtan.example/item/2"])
}
