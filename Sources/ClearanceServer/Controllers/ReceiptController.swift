import Hummingbird

/// `GET /v1/receipts?since=ID&limit=N`: receipts stored after cursor `since`, oldest first, limited
/// to the caller's declarations (ops: all). Poll again with the returned `next`.
struct ReceiptController {
    let environment: ServiceEnvironment

    func register(on router: Router<EnterpriseContext>) {
        router.get("/v1/receipts") { request, context in
            let enterprise = try context.requireEnterprise()
            let query = request.uri.queryParameters
            let since: Int64
            if let text = query.get("since") {
                guard let value = Int64(text), value >= 0 else { throw HTTPError(.badRequest, message: "since must be a non-negative receipt id") }
                since = value
            } else {
                since = 0
            }
            let limit = min(max(Int(query.get("limit") ?? "") ?? 100, 1), 1000)
            let items = try await environment.store.receiptFeed(
                after: since, enterpriseCode: enterprise.role == .ops ? nil : enterprise.code, limit: limit)
            return ReceiptFeedDTO(receipts: items, next: items.last?.id ?? since)
        }
    }
}
