import ClearanceStore
import Hummingbird

/// `GET /v1/shipments/{key}` and `/v1/shipments/{key}/timeline`: a shipment by orderNo,
/// logisticsNo, invtNo or copNo (tried in that order; `?by=` picks one), filtered to what the
/// caller may see. Another enterprise's shipment is a 404, exactly like an unknown one.
struct ShipmentController {
    let environment: ServiceEnvironment

    func register(on router: Router<EnterpriseContext>) {
        router.get("/v1/shipments/:key") { request, context in
            let (key, timeline) = try await lookup(request, context)
            var dto = ShipmentDTO(key: key, timeline: timeline)
            dto.trackingUrl = try await trackingURL(timeline, for: try context.requireEnterprise())
            return dto
        }
        router.get("/v1/shipments/:key/timeline") { request, context in
            let (key, timeline) = try await lookup(request, context)
            return TimelineDTO(key: key, timeline: timeline)
        }
    }

    private func lookup(_ request: Request, _ context: EnterpriseContext) async throws -> (String, ShipmentTimeline) {
        let enterprise = try context.requireEnterprise()
        let key = try context.parameters.require("key")
        let by = request.uri.queryParameters.get("by")
        guard let timeline = try await Self.find(key: key, by: by, store: environment.store, for: enterprise) else {
            throw HTTPError(.notFound, message: "no shipment \(key)")
        }
        return (key, timeline)
    }

    /// The buyer page's link of the shipment's order, for the order's own parties (platform,
    /// e-commerce enterprise, logistics, agent, sender) so they can hand it to their customer; nil for
    /// anyone else, ops included (the link is the buyer's, not a staff tool). Absolute under
    /// ``ServerConfiguration/publicBaseURL`` when set.
    private func trackingURL(_ timeline: ShipmentTimeline, for enterprise: EnterpriseRecord) async throws -> String? {
        guard enterprise.role != .ops,
              let order = timeline.declarations.first(where: { $0.kind == .order && $0.orderNo != nil && Visibility.canSee($0, enterprise) })
        else { return nil }
        let path = "/track/t/" + (try await environment.trackingLinks.link().token(for: order.id))
        guard let base = environment.configuration.publicBaseURL, !base.isEmpty else { return path }
        return (base.hasSuffix("/") ? String(base.dropLast()) : base) + path
    }

    /// Candidate trace keys for a lookup string.
    static func traceKeys(_ key: String, by: String?) throws(HTTPError) -> [TraceKey] {
        switch by?.lowercased() {
        case nil, "": return [.orderNo(key), .logisticsNo(key), .invtNo(key), .copNo(key)]
        case "orderno": return [.orderNo(key)]
        case "logisticsno": return [.logisticsNo(key)]
        case "invtno": return [.invtNo(key)]
        case "copno": return [.copNo(key)]
        case "guid": return [.guid(key)]
        default: throw HTTPError(.badRequest, message: "by must be one of orderNo, logisticsNo, invtNo, copNo, guid")
        }
    }

    /// The first timeline found for the key that `enterprise` may see (filtered to its part).
    static func find(key: String, by: String?, store: any AccessStore, for enterprise: EnterpriseRecord) async throws -> ShipmentTimeline? {
        guard !key.isEmpty, key.count <= 64 else { return nil }
        for traceKey in try traceKeys(key, by: by) {
            if let timeline = try await store.trace(traceKey), let visible = Visibility.filter(timeline, for: enterprise) {
                return visible
            }
        }
        return nil
    }
}
