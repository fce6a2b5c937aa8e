import CEBModel
import ClearanceRouting
import Foundation

/// The inspection authority's and the payment/FX regulator's answers (see ``Counterpart``).
extension CustomsSimulator {
    /// The inspection answer sequence for one inspection declaration, keyed by its guid.
    func inspectionSequence(key: String, errors: [String], hasInspection: Bool) -> [(String, String)] {
        var rng = SplitMix64.forKey("inspection:" + key, seed: config.seed)
        let reject = rng.unit() < config.inspectionRejectionRate
        let hold = rng.unit() < config.inspectionHoldRate
        if !errors.isEmpty {
            return [("100", "退单：检验检疫申报校验未通过 " + errors.prefix(3).joined(separator: "; "))]
        }
        if !hasInspection {
            return [("100", "退单：报文未携带检验检疫申报数据（InspOrder）")]
        }
        if reject {
            return [("2", "检验检疫申报已接收"), ("100", "不合格：商品检验检疫备案信息不符（模拟）")]
        }
        var steps = [("2", "检验检疫申报已接收"), ("120", "检验检疫申报受理成功")]
        if hold { steps.append(("500", "检验检疫布控查验（模拟）")) }
        steps.append(("800", "检验检疫放行"))
        return steps
    }

    /// The payment/FX answer sequence for one payment document, keyed by its guid.
    func paymentSequence(key: String, errors: [String]) -> [(String, String)] {
        var rng = SplitMix64.forKey("payment:" + key, seed: config.seed)
        let reject = rng.unit() < config.paymentRejectionRate
        if !errors.isEmpty {
            return [("100", "退单：支付数据校验未通过 " + errors.prefix(3).joined(separator: "; "))]
        }
        if reject {
            return [("2", "支付数据已接收"), ("100", "支付数据核验不通过：支付人与订购人信息不一致（模拟）")]
        }
        return [("2", "支付数据已接收"), ("120", "支付数据核验通过")]
    }

    /// The unsigned `InspReturn` answers to one message routed to inspection: one sequence for the
    /// message, about the inventory (or order) carrying the InspOrder, or the InspOrder alone.
    func inspectionAnswers(_ message: DecodedMessage, start: Date) -> [(type: String, bytes: [UInt8])] {
        let errors = message.errors.map { "\($0.code) \($0.field ?? "")" }
        var inspection: InspectionOrderHead?
        var target = ReceiptBuilder.InspectionTarget(guid: message.guid, orderNo: nil, copNo: nil)
        var codes = ("", "")
        var carrierFound = false
        for document in message.documents {
            switch document {
            case .inspectionOrder(let order):
                inspection = inspection ?? order.head
            case .inventory(let i) where !carrierFound:
                carrierFound = true
                target = .init(guid: i.head.guid, orderNo: i.head.orderNo, copNo: i.head.copNo)
                codes = (i.head.ebpCode, i.head.ebcCode)
            case .order(let o) where !carrierFound:
                carrierFound = true
                target = .init(guid: o.head.guid, orderNo: o.head.orderNo, copNo: nil)
                codes = (o.head.ebpCode, o.head.ebcCode)
            default:
                break
            }
        }
        return inspectionSequence(key: target.guid, errors: errors, hasInspection: inspection != nil)
            .enumerated().map { step, answer in
                ReceiptBuilder.inspectionAnswer(
                    target: target, inspection: inspection, fallbackCodes: codes, status: answer.0, info: answer.1,
                    time: start.addingTimeInterval(Double(step + 1) * 0.001))
            }
    }

    /// The unsigned `PayExReturn` answers to one message routed to the payment/FX regulator.
    func paymentAnswers(_ message: DecodedMessage, start: Date) -> [(type: String, bytes: [UInt8])] {
        let errors = message.errors.map { "\($0.code) \($0.field ?? "")" }
        var answers: [(type: String, bytes: [UInt8])] = []
        for document in message.documents {
            let key: String
            switch document {
            case .payment(let p): key = p.head.guid
            case .paymentReceipt(let r): key = r.guid
            case .paymentExchangeInfo(let x): key = x.head.guid
            default: continue
            }
            for (status, info) in paymentSequence(key: key, errors: errors) {
                let time = start.addingTimeInterval(Double(answers.count + 1) * 0.001)
                if let answer = ReceiptBuilder.paymentAnswer(for: document, status: status, info: info, time: time) {
                    answers.append(answer)
                }
            }
        }
        return answers
    }
}
