import ClearanceStore
import Foundation
import Hummingbird
import NIOCore

/// The buyer's page: public, no sign-in, Chinese by default. The buyer types the order number and the
/// last four characters of their ID number or telephone (``BuyerLookup``) and is sent to the parcel's
/// own link, `/track/t/<token>` (``TrackingLink``), which shows the clearance steps, goods, route and
/// tax (``BuyerParcel``) and follows the store live (`…/events`, Server-Sent Events, read by the
/// same-origin `/track/live.js`). The page can be added to a phone's home screen (`/track/manifest.webmanifest`).
///
/// A wrong code, an unknown order and a malformed entry get one and the same answer, byte for byte,
/// after the same work; attempts are limited per client address and per order number (429).
struct TrackController {
    let environment: ServiceEnvironment
    private var views: ViewRenderer { environment.views }
    private var store: any AccessStore { environment.store }

    /// Goods lines shown at most.
    static let maxGoods = 50
    /// Longest a live stream stays open (the browser's EventSource then reconnects by itself).
    static let streamSeconds = 600.0
    /// A comment line at least this often keeps proxies and the idle timeout from closing a quiet stream,
    /// and finds a page that was closed (the write fails) so its slot is given back soon.
    static let heartbeatSeconds = 5.0

    func register(on router: Router<EnterpriseContext>) {
        router.get("/track") { _, context in try form(context) }
        router.post("/track") { request, context in try await lookup(request, context) }
        router.get("/track/t/:token") { _, context in try await parcelPage(context) }
        router.get("/track/t/:token/events") { _, context in try await events(context) }
        router.get("/track/live.js") { _, _ in asset("live.js", type: "text/javascript; charset=utf-8") }
        router.get("/track/manifest.webmanifest") { _, _ in asset("manifest.webmanifest", type: "application/manifest+json") }
        router.get("/track/icon.svg") { _, _ in asset("icon.svg", type: "image/svg+xml") }
    }

    // MARK: Pages

    private func values(_ context: EnterpriseContext) -> [String: Any] {
        var values = OpsPageController.texts(context.language, link: context.languageLink)
        values["title"] = context.language.text("trackTitle")
        return values
    }

    /// The entry form, with an optional notice (the same for every failed lookup).
    private func form(_ context: EnterpriseContext, notice: String? = nil, status: HTTPResponse.Status = .ok,
                      headers: HTTPFields = [:]) throws -> Response {
        var values = values(context)
        values["form"] = true
        if let notice { values["notice"] = notice }
        var response = try views.page("track", values, status: status)
        response.headers.append(contentsOf: headers)
        response.headers[.cacheControl] = "no-store"
        response.headers[.referrerPolicy] = "no-referrer"
        return response
    }

    private func lookup(_ request: Request, _ context: EnterpriseContext) async throws -> Response {
        let fields = try await FormBody.fields(request)
        let orderNo = BuyerLookup.normalizedOrder(fields["orderNo"] ?? "")
        let address = Self.clientAddress(context)
        // Both limits are taken before anything is looked up, so a refusal says nothing about the order.
        let byAddress = environment.trackByAddress.take(address)
        let byOrder = environment.trackByOrder.take(String(orderNo.prefix(BuyerLookup.maxOrderLength)).uppercased())
        if let wait = [byAddress, byOrder].compactMap({ $0 }).max() {
            environment.metrics.rateLimited.increment()
            return try form(context, notice: context.language.text("trackTooMany"), status: .tooManyRequests,
                            headers: [.retryAfter: String(Int(wait.rounded(.up)))])
        }
        guard let found = try await BuyerLookup(store: store).find(orderNo: orderNo, code: fields["code"] ?? "") else {
            return try form(context, notice: context.language.text("trackNoMatch"))
        }
        let token = try await environment.trackingLinks.link().token(for: found.declarationId)
        return Response(status: .seeOther, headers: [.location: "/track/t/\(token)?lang=\(context.language.rawValue)",
                                                     .cacheControl: "no-store"])
    }

    /// The parcel behind a link, or nil for a link that is malformed, forged or points at nothing.
    private func parcel(token: String, language: OpsLanguage) async throws -> BuyerParcel? {
        guard let id = try await environment.trackingLinks.link().declarationId(token: token),
              let orderNo = try await store.orderNo(declarationId: id),
              let timeline = try await store.trace(.orderNo(orderNo)) else { return nil }
        let goodsSource = timeline.declarations.first { $0.kind == .inventory } ?? timeline.declarations.first { $0.kind == .order }
        var lines: [DeclarationLineRecord] = []
        if let goodsSource { lines = try await store.declarationLines(declarationId: goodsSource.id, limit: Self.maxGoods) }
        return BuyerParcel(orderNo: orderNo, timeline: timeline, lines: lines)
    }

    private func parcelPage(_ context: EnterpriseContext) async throws -> Response {
        let token = try context.parameters.require("token")
        guard let parcel = try await parcel(token: token, language: context.language) else {
            return try form(context, notice: context.language.text("trackBadLink"), status: .notFound)
        }
        var values = values(context)
        values["parcel"] = parcel.values(context.language)
        values["events"] = "/track/t/\(token)/events?lang=\(context.language.rawValue)"
        var response = try views.page("track", values)
        response.headers[.cacheControl] = "no-store"
        response.headers[.referrerPolicy] = "no-referrer"
        return response
    }

    // MARK: Live updates

    /// Server-Sent Events: a `parcel` event with the parcel's markup whenever what the page shows
    /// changes (the store is read every ``ServerConfiguration/trackPollSeconds``), a comment line as
    /// heartbeat, closed after ``streamSeconds``. Streams are bounded per address and in all (503 past that).
    private func events(_ context: EnterpriseContext) async throws -> Response {
        let token = try context.parameters.require("token")
        let language = context.language
        guard let first = try await parcel(token: token, language: language) else {
            throw HTTPError(.notFound, message: "no such parcel link")
        }
        let lease: UploadSlots.Lease
        do {
            lease = try environment.trackStreams.acquire(Self.clientAddress(context))
        } catch {
            throw HTTPError(.serviceUnavailable, headers: [.retryAfter: "30"], message: "too many live pages open; reload later")
        }
        let poll = max(0.2, environment.configuration.trackPollSeconds)
        let events = "/track/t/\(token)/events?lang=\(language.rawValue)"
        let body = ResponseBody { [self] writer in
            defer { lease.release() }
            var shown = first
            var quiet = 0.0
            let opened = ContinuousClock.now
            try await writer.write(ByteBuffer(string: "retry: 5000\n\n"))
            while ContinuousClock.now - opened < .seconds(Self.streamSeconds) {
                try await Task.sleep(for: .milliseconds(Int64(poll * 1000)))
                quiet += poll
                if let now = try await parcel(token: token, language: language), now != shown {
                    shown = now
                    quiet = 0
                    try await writer.write(ByteBuffer(string: try sse(now, language: language, events: events)))
                } else if quiet >= Self.heartbeatSeconds {
                    quiet = 0
                    try await writer.write(ByteBuffer(string: ": still here\n\n"))
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"], body: body)
    }

    /// One `parcel` event: the parcel section's markup, one `data:` line per line of it.
    private func sse(_ parcel: BuyerParcel, language: OpsLanguage, events: String) throws -> String {
        var values = OpsPageController.texts(language, link: "")
        values["parcel"] = parcel.values(language)
        values["events"] = events
        let html = try views.render("track-parcel", values)
        return "event: parcel\n" + html.split(separator: "\n", omittingEmptySubsequences: false).map { "data: \($0)\n" }.joined() + "\n"
    }

    // MARK: Support

    /// The caller's address (the connection's peer; behind a proxy every buyer shares the proxy's
    /// address, so the per-order limit is what still holds).
    static func clientAddress(_ context: EnterpriseContext) -> String {
        context.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    private func asset(_ name: String, type: String) -> Response {
        let text = ServerResources.assets.first { $0.name == name }?.text ?? ""
        return Response(status: text.isEmpty ? .notFound : .ok,
                        headers: [.contentType: type, .cacheControl: "public, max-age=3600"],
                        body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
