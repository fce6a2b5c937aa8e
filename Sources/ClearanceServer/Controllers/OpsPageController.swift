import CEBModel
import ClearanceRouting
import ClearanceStore
import Foundation
import Hummingbird

/// The ops web pages (server-rendered, no JavaScript): overview, search by any key, shipment
/// timeline with receipts and raw (masked) XML, batches with their errors, the outbox and dead
/// letters with a replay button.
///
/// Browsers sign in at `/ops/login` by pasting an API key into a form (never in a URL); the
/// service answers with a session cookie (see ``OpsSession``) and every state-changing form
/// carries the session's CSRF token. Merchants may use the pages too and see only their own
/// declarations; the overview, outbox and reveal are for ops only.
struct OpsPageController {
    let environment: ServiceEnvironment
    var views: ViewRenderer { environment.views }
    var store: any AccessStore { environment.store }

    func register(on router: Router<EnterpriseContext>) {
        router.get("/ops/login") { request, _ in try loginForm(request, next: request.uri.queryParameters.get("next")) }
        router.post("/ops/login") { request, _ in try await login(request) }
        router.post("/ops/logout") { request, context in try await logout(request, context) }
        router.get("/ops") { _, context in try await overview(context) }
        router.get("/ops/search") { request, context in try await search(request, context) }
        router.get("/ops/shipments/:key") { _, context in try await shipment(context) }
        router.get("/ops/messages/:guid") { request, context in try await message(request, context) }
        router.get("/ops/batches") { _, context in try await batches(context) }
        router.get("/ops/batches/:id") { request, context in try await batch(request, context) }
        router.get("/ops/outbox") { request, context in try await outbox(request, context) }
        router.post("/ops/outbox/:id/replay") { request, context in try await replay(request, context) }
        router.get("/ops/holds") { _, context in try await holds(context) }
        router.get("/ops/payment-requests") { request, context in try await paymentRequests(request, context) }
        router.get("/ops/fx-settlement") { request, context in try await fxSettlement(request, context) }
        router.get("/ops/charts/:name") { _, context in try await chartRows(context) }
        router.post("/ops/holds/:guid/release") { request, context in try await decideHold(request, context, release: true) }
        router.post("/ops/holds/:guid/refuse") { request, context in try await decideHold(request, context, release: false) }
    }

    // MARK: Sign-in

    /// The sign-in form, with a fresh double-submit token (form field and `clearance_login` cookie).
    private func loginForm(
        _ request: Request, next: String?, text: String? = nil, status: HTTPResponse.Status = .ok, token: String? = nil
    ) throws -> Response {
        let token = token ?? OpsSession.newToken()
        let language = OpsLanguage.of(request)
        var values = Self.texts(language, link: request.uri.path + "?lang=\(language.other.rawValue)")
        values.merge(["title": language.text("signIn"), "heading": language.text("signIn"), "text": text ?? language.text("pasteKey"),
                      "login": true, "loginToken": token]) { $1 }
        if let next = Self.safeTarget(next) { values["next"] = next }
        var response = try views.page("message-page", values, status: status)
        response.setCookie(OpsSession.cookie(OpsSession.loginCookieName, token, maxAge: 3600, secure: cameOverTLS(request)))
        return response
    }

    /// Opens a session for the pasted key and goes on to the form's `next` (a path under `/ops`
    /// only, so a link cannot send the browser elsewhere) or the overview.
    private func login(_ request: Request) async throws -> Response {
        let fields = try await FormBody.fields(request)
        guard let cookie = request.cookies[OpsSession.loginCookieName]?.value, let given = fields[OpsSession.csrfField],
              OpsSession.constantTimeEqual(cookie, given) else {
            return try loginForm(request, next: fields["next"], text: "The sign-in form expired; paste the key again.", status: .forbidden)
        }
        let key = (fields["key"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let token = OpsSession.newToken()
        let now = Date()
        let owner = APIKey.isWellFormed(key) ? try await store.openOpsSession(
            apiKeyHash: APIKey.hash(key), tokenHash: OpsSession.hash(token),
            expiresAt: now.addingTimeInterval(Double(environment.configuration.opsSessionSeconds)), now: now) : nil
        guard let owner else {
            return try loginForm(request, next: fields["next"], text: "Unknown or revoked API key.", status: .unauthorized, token: cookie)
        }
        try await store.appendAudit(AuditEntry(actor: owner.enterprise.code, action: "ops.sign-in", target: owner.keyPrefix))
        var response = Response(status: .seeOther, headers: [.location: Self.safeTarget(fields["next"]) ?? "/ops"])
        let secure = cameOverTLS(request)
        response.setCookie(OpsSession.cookie(OpsSession.cookieName, token, maxAge: environment.configuration.opsSessionSeconds, secure: secure))
        response.setCookie(OpsSession.cookie(OpsSession.loginCookieName, "", maxAge: 0, secure: secure))
        return response
    }

    /// Ends the session and clears its cookie.
    private func logout(_ request: Request, _ context: EnterpriseContext) async throws -> Response {
        _ = try viewer(context)
        try await requireCSRF(request, context)
        if let token = context.opsSessionToken { try await store.revokeOpsSession(tokenHash: OpsSession.hash(token), now: Date()) }
        var response = Response(status: .seeOther, headers: [.location: "/ops/login"])
        response.setCookie(OpsSession.cookie(OpsSession.cookieName, "", maxAge: 0, secure: cameOverTLS(request)))
        return response
    }

    /// Refuses (403) a form post without the CSRF token of the caller's session: a request
    /// authenticated by a key header has no session and no business posting the pages' forms.
    private func requireCSRF(_ request: Request, _ context: EnterpriseContext) async throws {
        let fields = try await FormBody.fields(request)
        guard let token = context.opsSessionToken, let given = fields[OpsSession.csrfField],
              OpsSession.constantTimeEqual(given, OpsSession.csrfToken(session: token)) else {
            throw HTTPError(.forbidden, message: "missing or wrong CSRF token: reload the page and submit the form again")
        }
    }

    private func cameOverTLS(_ request: Request) -> Bool { OpsSession.cameOverTLS(request, environment.configuration) }

    /// `next` when it is a path under `/ops` (no scheme, host, backslash or control character).
    static func safeTarget(_ next: String?) -> String? {
        guard let next, next.hasPrefix("/ops"), !next.hasPrefix("//"), !next.contains("\\"),
              !next.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return nil }
        return next
    }

    private func viewer(_ context: EnterpriseContext) throws -> EnterpriseRecord {
        guard let enterprise = context.enterprise else {
            throw HTTPError(.unauthorized, message: "sign in at /ops/login")
        }
        return enterprise
    }

    func requireOps(_ context: EnterpriseContext) throws -> EnterpriseRecord {
        let enterprise = try viewer(context)
        guard enterprise.role == .ops else { throw HTTPError(.notFound, message: "not found") }
        return enterprise
    }

    /// Values every signed-in page shows: the viewer, the search box and (for a session) the
    /// CSRF token of its forms.
    func base(_ title: String, _ context: EnterpriseContext, query: String = "") -> [String: Any] {
        var values = Self.texts(context.language, link: context.languageLink)
        values["title"] = title
        values["query"] = query
        if let enterprise = context.enterprise { values["viewer"] = "\(enterprise.code) (\(enterprise.role.rawValue))" }
        if let token = context.opsSessionToken { values["csrf"] = OpsSession.csrfToken(session: token) }
        return values
    }

    private func notFound(_ context: EnterpriseContext, _ what: String, query: String = "") throws -> Response {
        let t = context.language
        var values = base(t.text("notFound"), context, query: query)
        values["heading"] = t.text("notFound")
        values["text"] = "\(t.text("nothingMatches")) \(what)."
        return try views.page("message-page", values, status: .notFound)
    }

    // MARK: Pages

    private func overview(_ context: EnterpriseContext) async throws -> Response {
        let enterprise = try viewer(context)
        guard enterprise.role == .ops else { return try views.page("message-page", base(context.language.text("search"), context).merging(
            ["heading": context.language.text("search"), "text": context.language.text("searchHint")]) { $1 }) }
        let stats = try await store.stats()
        var values = base(context.language.text("overview"), context)
        values["messageTotal"] = stats.messageTotal
        values["declarationTotal"] = stats.declarationTotal
        values["receiptTotal"] = stats.receipts
        values["outboxDepth"] = stats.outboxDepth
        values["outboxDead"] = stats.outbox[.dead] ?? 0
        let t = context.language
        var byStatus: [String: Int] = [:]
        for d in stats.declarations { byStatus[d.status, default: 0] += d.count }
        values["declarationsChart"] = SVGBarChart(title: t.text("declarationsByStatus"), bars: byStatus.sorted { $0.value > $1.value }.map {
            SVGBarChart.Bar(label: Self.statusText($0.key), count: $0.value, link: nil)
        }).svg
        values["outboxChart"] = SVGBarChart(title: t.text("outboxByStatus"), bars: OutboxStatus.allCases.map {
            SVGBarChart.Bar(label: $0.rawValue, count: stats.outbox[$0] ?? 0, link: "/ops/outbox?status=\($0.rawValue)")
        }).svg
        let charts = try await timeCharts(context.language)
        values["releaseChart"] = charts.releaseChart
        values["receiptLagChart"] = charts.receiptLagChart
        values["outboxTimeChart"] = charts.outboxChart
        values["messagesChart"] = charts.messagesChart
        if charts.series.truncated { values["chartsTruncated"] = true }
        values["exportsToSummarise"] = SummaryReminder.reminders(stats.exportsToSummarise).map { r -> [String: Any] in
            ["ebcCode": r.ebcCode, "count": r.clearedNotSummarised, "period": r.period, "deadline": r.deadline]
        }
        values["hasExportsToSummarise"] = !stats.exportsToSummarise.isEmpty
        values["messages"] = try await store.recentMessages(limit: 25).map { m -> [String: Any] in
            ["receivedAt": Self.time(m.receivedAt), "messageType": m.messageType, "guid": m.guid, "senderCode": m.senderCode,
             "signatureVerdict": m.signatureVerdict]
        }
        return try views.page("index", values)
    }

    /// Rows one store read returns for the time charts, at most, per list.
    static let chartRowLimit = 20_000

    /// The time charts of the last day (and hour), from one bounded read of the store.
    private func timeCharts(_ language: OpsLanguage, now: Date = Date()) async throws -> OpsTimeCharts {
        let series = try await store.opsSeries(
            since: OpsTimeCharts.dayStart(now), messagesSince: OpsTimeCharts.hourStart(now), limit: Self.chartRowLimit)
        return OpsTimeCharts(series: series, now: now, language: language)
    }

    /// The rows behind a time chart (`releases`, `receipts`, `messages`), newest first.
    private func chartRows(_ context: EnterpriseContext) async throws -> Response {
        _ = try requireOps(context)
        let t = context.language
        let name = try context.parameters.require("name")
        let series = try await timeCharts(t).series
        var columns: [String]
        var rows: [[[String: Any]]]
        func cell(_ text: String, link: String? = nil) -> [String: Any] {
            var c: [String: Any] = ["text": text]
            if let link { c["link"] = link }
            return c
        }
        func shipmentLink(_ key: String?) -> String? {
            key.map { "/ops/shipments/" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) }
        }
        switch name {
        case "releases":
            columns = [t.text("shipment"), t.text("declaredAt"), t.text("releasedAt"), t.text("minutes")]
            rows = series.releases.reversed().map { r in
                [cell(r.key, link: shipmentLink(r.key)), cell(Self.time(r.declaredAt)), cell(Self.time(r.releasedAt)),
                 cell(SVGLineChart.format(max(0, r.releasedAt.timeIntervalSince(r.declaredAt)) / 60))]
            }
        case "receipts":
            columns = [t.text("shipment"), t.text("status"), "returnTime", t.text("received"), t.text("lagSeconds")]
            rows = series.receipts.reversed().map { r in
                let sent = ChinaTime.date(cebTime: r.returnTime)
                return [cell(r.key ?? "—", link: shipmentLink(r.key)), cell(Self.statusText(r.returnStatus)),
                        cell(sent.map(Self.time) ?? r.returnTime), cell(Self.time(r.storedAt)),
                        cell(sent.map { SVGLineChart.format(max(0, r.storedAt.timeIntervalSince($0))) } ?? "—")]
            }
        case "messages":
            columns = [t.text("minute"), t.text("type"), t.text("count")]
            rows = series.messages.reversed().map { m in [cell(Self.time(m.minute)), cell(m.messageType), cell(String(m.count))] }
        default:
            // As for a caller who is not ops: no page names the charts there are not.
            throw HTTPError(.notFound, message: "not found")
        }
        let heading = t.text("chart" + name.prefix(1).uppercased() + name.dropFirst())
        var values = base(heading, context)
        values["heading"] = heading
        values["columns"] = columns
        values["rows"] = rows.map { ["cells": $0] }
        if series.truncated { values["truncated"] = true }
        return try views.page("chart-rows", values)
    }

    private func search(_ request: Request, _ context: EnterpriseContext) async throws -> Response {
        let enterprise = try viewer(context)
        let q = (request.uri.queryParameters.get("q") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !q.isEmpty, q.count <= 64 else { return try notFound(context, "an empty or over-long key", query: q) }
        let escaped = q.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? q
        if try await ShipmentController.find(key: q, by: nil, store: store, for: enterprise) != nil {
            return Response(status: .seeOther, headers: [.location: "/ops/shipments/\(escaped)"])
        }
        if try await MessageView.load(guid: q, for: enterprise, store: store) != nil {
            return Response(status: .seeOther, headers: [.location: "/ops/messages/\(escaped)"])
        }
        if let batch = try await store.batch(id: q), enterprise.role == .ops || batch.enterpriseCode == enterprise.code {
            return Response(status: .seeOther, headers: [.location: "/ops/batches/\(escaped)"])
        }
        return try notFound(context, q, query: q)
    }

    private func shipment(_ context: EnterpriseContext) async throws -> Response {
        let enterprise = try viewer(context)
        let key = try context.parameters.require("key")
        guard let t = try await ShipmentController.find(key: key, by: nil, store: store, for: enterprise) else {
            return try notFound(context, key, query: key)
        }
        var values = base("\(context.language.text("shipment")) \(key)", context, query: key)
        values["key"] = key
        values["status"] = ShipmentStatus.of(t)
        values["traceChart"] = TraceabilityChart(timeline: t).svg
        values["declarations"] = t.declarations.map { d -> [String: Any] in
            let dto = DeclarationDTO(d)
            return ["kind": dto.kind, "orderNo": dto.orderNo ?? "", "logisticsNo": dto.logisticsNo ?? "", "invtNo": dto.invtNo ?? "",
                    "copNo": dto.copNo ?? "", "senderCode": dto.senderCode, "buyerName": dto.buyerName ?? "",
                    "buyerIdMasked": dto.buyerIdMasked ?? "", "buyerTelephoneMasked": dto.buyerTelephoneMasked ?? "",
                    "goodsValue": dto.goodsValue ?? "", "status": Self.statusText(dto.status), "messageGuid": dto.messageGuid]
        }
        values["events"] = t.events.map { e -> [String: Any] in
            var v: [String: Any] = ["occurredAt": Self.time(e.occurredAt), "kind": e.kind.rawValue]
            if let code = e.code { v["code"] = code; v["statusName"] = StatusNames.name(code) }
            if let detail = e.detail { v["detail"] = PersonalDataScrubber.scrub(detail) }
            if let guid = e.messageGuid { v["messageGuid"] = guid }
            return v
        }
        values["receipts"] = t.receipts.map { r -> [String: Any] in
            ["forKind": r.forKind.rawValue, "returnStatus": r.returnStatus, "statusName": StatusNames.name(r.returnStatus),
             "returnTime": r.returnTime, "returnInfo": r.returnInfo ?? "", "messageGuid": r.messageGuid]
        }
        values["deliveries"] = t.deliveries.map { o -> [String: Any] in
            ["destination": o.destination, "messageGuid": o.messageGuid, "status": o.status.rawValue, "attempts": o.attempts,
             "lastError": o.lastError ?? ""]
        }
        return try views.page("shipment", values)
    }

    private func message(_ request: Request, _ context: EnterpriseContext) async throws -> Response {
        let enterprise = try viewer(context)
        let guid = try context.parameters.require("guid")
        guard let view = try await MessageView.load(guid: guid, for: enterprise, store: store) else {
            return try notFound(context, guid)
        }
        let reveal = request.uri.queryParameters.get("reveal") == "1" && enterprise.role == .ops
        if reveal {
            try await store.appendAudit(AuditEntry(actor: enterprise.code, action: "reveal", target: guid, detail: "ops page"))
        }
        let m = view.record
        var values = base("\(context.language.text("message")) \(guid)", context)
        values["guid"] = m.guid
        values["messageType"] = m.messageType
        values["senderCode"] = m.senderCode
        values["direction"] = m.direction.rawValue
        values["receivedAt"] = Self.time(m.receivedAt)
        values["signatureVerdict"] = m.signatureVerdict
        values["status"] = view.status
        values["sha256"] = m.sha256
        values["canReveal"] = enterprise.role == .ops && !reveal
        values["revealed"] = reveal
        if let d = view.timeline?.declarations.first(where: { $0.messageGuid == guid }),
           let key = d.orderNo ?? d.logisticsNo ?? d.invtNo ?? d.copNo {
            values["shipmentKey"] = key
        }
        let store = store
        return try views.page("message", values, streaming: "xml") { write in try await view.stream(from: store, reveal: reveal, write) }
    }

    private func batches(_ context: EnterpriseContext) async throws -> Response {
        let enterprise = try viewer(context)
        let rows = try await store.batches(enterpriseCode: enterprise.role == .ops ? nil : enterprise.code, limit: 100)
        var values = base(context.language.text("batches"), context)
        values["batches"] = rows.map(Self.batchValues)
        return try views.page("batches", values)
    }

    private func batch(_ request: Request, _ context: EnterpriseContext) async throws -> Response {
        let enterprise = try viewer(context)
        let id = try context.parameters.require("id")
        guard let b = try await store.batch(id: id), enterprise.role == .ops || b.enterpriseCode == enterprise.code else {
            return try notFound(context, id)
        }
        var values = base("\(context.language.text("batch")) \(id)", context).merging(Self.batchValues(b)) { $1 }
        if let guid = b.messageGuid {
            // Each document's verdict as it stands now, each linking to its declarations (the first 200).
            let counts = try await store.declarationCounts(messageGuid: guid)
            values["verdicts"] = counts.sorted { $0.key.rawValue < $1.key.rawValue }.map { status, count -> [String: Any] in
                ["status": status.rawValue, "count": count, "id": id,
                 "statusQuery": status.rawValue.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? status.rawValue]
            }
            values["hasVerdicts"] = !counts.isEmpty
            if let status = request.uri.queryParameters.get("status"), !status.isEmpty {
                let rows = try await store.declarations(messageGuid: guid, status: DeclarationStatus(status), offset: 0, limit: 200)
                values["documents"] = rows.map { d -> [String: Any] in
                    ["key": d.copNo ?? d.orderNo ?? d.logisticsNo ?? d.declarationGuid, "kind": d.kind.rawValue, "status": d.status]
                }
                values["hasDocuments"] = !rows.isEmpty
            }
        }
        values["rows"] = try await store.batchErrors(batchId: id, offset: 0, limit: 500).map { e -> [String: Any] in
            ["document": e.documentIndex, "key": e.recordKey ?? "", "line": e.line, "column": e.column, "severity": e.severity,
             "code": e.code, "field": e.field ?? "", "message": e.message]
        }
        return try views.page("batch", values)
    }

    private static func batchValues(_ b: BatchRecord) -> [String: Any] {
        var v: [String: Any] = [
            "id": b.id, "enterpriseCode": b.enterpriseCode, "status": b.status.rawValue, "bytes": b.bytes, "documents": b.documents,
            "invalidDocuments": b.invalidDocuments, "declarationsInserted": b.declarationsInserted,
            "declarationsSkipped": b.declarationsSkipped, "errors": b.errorCount, "warnings": b.warningCount,
            "createdAt": time(b.createdAt),
        ]
        if let failure = b.failure { v["failure"] = failure }
        if let routing = b.routing { v["routing"] = routing }
        if let guid = b.messageGuid { v["messageGuid"] = guid }
        return v
    }

    private func outbox(_ request: Request, _ context: EnterpriseContext) async throws -> Response {
        _ = try requireOps(context)
        let filter = request.uri.queryParameters.get("status").flatMap(OutboxStatus.init(rawValue:))
        var values = base(context.language.text("outbox"), context)
        if let filter { values["statusFilter"] = filter.rawValue }
        values["entries"] = try await store.outboxEntries(status: filter, limit: 200).map { o -> [String: Any] in
            ["id": o.id, "destination": o.destination, "messageGuid": o.messageGuid, "status": o.status.rawValue,
             "attempts": o.attempts, "nextAttemptAt": Self.time(o.nextAttemptAt), "lastError": o.lastError ?? "",
             "replayable": o.status == .dead || o.status == .delivered, "paymentRequest": o.paymentRequestId.map { String($0) } ?? false]
        }
        return try views.page("outbox", values)
    }

    private func replay(_ request: Request, _ context: EnterpriseContext) async throws -> Response {
        _ = try viewer(context)
        try await requireCSRF(request, context)
        let enterprise = try requireOps(context)
        guard let id = Int64(try context.parameters.require("id")) else { throw HTTPError(.badRequest, message: "bad outbox id") }
        let entry: OutboxEntry
        do {
            entry = try await store.replayOutbox(id: id, now: Date())
        } catch {
            throw OutboxController.replayRefusal(error, id: id)
        }
        try await store.appendAudit(AuditEntry(actor: enterprise.code, action: "outbox.replay", target: String(id), detail: entry.destination))
        return Response(status: .seeOther, headers: [.location: "/ops/outbox?status=pending"])
    }

    private func holds(_ context: EnterpriseContext) async throws -> Response {
        _ = try requireOps(context)
        var values = base(context.language.text("holds"), context)
        let csrf = values["csrf"] ?? ""
        values["holds"] = try await store.heldMessages(limit: 200).map { h -> [String: Any] in
            ["guid": h.guid, "messageType": h.messageType, "senderCode": h.senderCode, "declarations": h.declarations,
             "heldAt": h.heldAt.map(Self.time) ?? "", "reasons": h.reasons, "csrf": csrf]
        }
        return try views.page("holds", values)
    }

    /// customs' real-time payment data requests, newest first: why one was not sent (`RTD…`), customs' answer code.
    private func paymentRequests(_ request: Request, _ context: EnterpriseContext) async throws -> Response {
        _ = try requireOps(context)
        let filter = request.uri.queryParameters.get("state").flatMap(PaymentDataRequest.State.init(rawValue:))
        var values = base(context.language.text("paymentRequests"), context)
        if let filter { values["stateFilter"] = filter.rawValue }
        values["states"] = PaymentDataRequest.State.allCases.map(\.rawValue)
        values["requests"] = try await environment.paymentData.store.paymentDataRequests(orderNo: nil, state: filter, limit: 200).map { r -> [String: Any] in
            ["id": r.id, "orderNo": r.orderNo, "sessionID": r.sessionID, "state": r.state.rawValue, "reason": r.reason ?? "",
             "customsCode": r.customsCode ?? "", "customsMessage": r.customsMessage ?? "", "requestedBy": r.requestedBy,
             "updatedAt": Self.time(r.updatedAt)]
        }
        return try views.page("payment-requests", values)
    }

    /// Release or refuse a held message from the holds page (audited by ``HoldReview``).
    private func decideHold(_ request: Request, _ context: EnterpriseContext, release: Bool) async throws -> Response {
        _ = try viewer(context)
        try await requireCSRF(request, context)
        let enterprise = try requireOps(context)
        let guid = try context.parameters.require("guid")
        do {
            if release {
                _ = try await environment.holdReview.release(messageGuid: guid, by: enterprise.code)
            } else {
                _ = try await environment.holdReview.refuse(messageGuid: guid, by: enterprise.code)
            }
        } catch {
            throw HoldController.refusal(error)
        }
        return Response(status: .seeOther, headers: [.location: "/ops/holds"])
    }

    /// `"800 released"` for a customs code, the status itself otherwise.
    static func statusText(_ status: String) -> String {
        let name = StatusNames.name(status)
        return name == status ? status : "\(status) \(name)"
    }

    /// A time as China Standard Time, the clock ops staff and customs work by, with its zone shown.
    static func time(_ date: Date) -> String {
        let t = ChinaTime.cebTime(date, milliseconds: false)
        func part(_ from: Int, _ count: Int) -> Substring { t.dropFirst(from).prefix(count) }
        return "\(part(0, 4))-\(part(4, 2))-\(part(6, 2)) \(part(8, 2)):\(part(10, 2)):\(part(12, 2)) +08:00"
    }

    /// The texts of `language` and its switch: what every page's header and footer show.
    static func texts(_ language: OpsLanguage, link: String) -> [String: Any] {
        ["t": language.catalogue, "lang": language.rawValue, "otherLang": language.other.rawValue, "languageLink": link]
    }
}
