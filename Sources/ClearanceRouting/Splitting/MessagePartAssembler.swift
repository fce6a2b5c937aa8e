import ClearanceStore

/// Builds the bytes of one part of a split message from the stored raw pieces, as its
/// ``MessagePartPlan`` says: only the pieces the part's ranges fall in are read (one to three for
/// a part of 100 inventories of a 1 MiB-piece batch), never the whole message.
struct MessagePartAssembler {
    let store: any ClearanceFlowStore

    /// One part, ready for the ``OutboundPreparer``.
    struct Assembled {
        /// The part's own message guid (``PartGuid``).
        var guid: String
        /// The part, unsigned.
        var bytes: [UInt8]
        var plan: MessagePartPlan
    }

    func assemble(messageGuid: String, part: OutboxPart, pieces: Int) async throws(DeliveryError) -> Assembled {
        let plan = try MessagePartPlan(decoding: part.plan)
        let guid = PartGuid.make(original: messageGuid, part: part.number, of: part.count)
        let bytes = try await bytes(plan.segments, of: messageGuid, pieces: pieces, guid: guid, what: "part \(part.number)")
        return Assembled(guid: guid, bytes: bytes, plan: plan)
    }

    /// The bytes `segments` name in the stored message `messageGuid` of `pieces` pieces, with `guid`
    /// for a ``MessagePartPlan/Segment/guid`` segment; `what` names them in errors.
    func bytes(
        _ segments: [MessagePartPlan.Segment], of messageGuid: String, pieces: Int, guid: String = "", what: String
    ) async throws(DeliveryError) -> [UInt8] {
        var bytes: [UInt8] = []
        var cached: (index: Int, bytes: [UInt8])?
        for segment in segments {
            switch segment {
            case .guid:
                bytes += Array(guid.utf8)
            case .raw(let range):
                var index = range.piece, offset = range.offset, remaining = range.length
                while remaining > 0 {
                    guard index < pieces else {
                        throw DeliveryError("\(what) of \(messageGuid) reaches past the stored message (piece \(index) of \(pieces))",
                                            permanent: true)
                    }
                    if cached?.index != index {
                        do {
                            cached = (index, try await store.rawPiece(guid: messageGuid, index: index))
                        } catch {
                            throw DeliveryError("cannot read piece \(index) of \(messageGuid): \(error)")
                        }
                    }
                    let piece = cached!.bytes
                    let take = min(remaining, piece.count - offset)
                    if take > 0 { bytes += piece[offset..<(offset + take)] }
                    remaining -= max(take, 0)
                    index += 1
                    offset = 0
                }
            }
        }
        return bytes
    }
}
