import XMLStreaming

/// The decoder's vocabulary and lookup tables, built once from the ``MessageCatalog``.
///
/// Every element name of every message becomes a symbol; each record gets a table from
/// symbol to field index, so decoding never hashes or compares a string.
final class DecoderTables: @unchecked Sendable {
    // Immutable after init and never freed (the shared instance lives as long as the process),
    // so the raw field tables are safe to read from any thread.
    /// Names reported as symbols by the XML parser.
    let vocabulary: XMLVocabulary
    /// Symbol → index in `MessageCatalog.all` of the message whose root it names, or -1.
    let rootMessage: [Int32]
    /// Per message: symbols of its document element, head element and line element (-1 if none).
    let documentSymbol: [Int32]
    let headSymbol: [Int32]
    let lineSymbol: [Int32]
    /// Per message: symbol → head field index, and symbol → line field index (-1: not a field).
    let headFields: [UnsafeMutablePointer<Int16>]
    let lineFields: [UnsafeMutablePointer<Int16>?]
    /// Per message: whether the document is flat.
    let flat: [Bool]
    /// Envelope records.
    let baseTransferFields: UnsafeMutablePointer<Int16>
    let baseSubscribeFields: UnsafeMutablePointer<Int16>
    let symbolBaseTransfer: Int32
    let symbolBaseSubscribe: Int32
    let symbolExtendMessage: Int32
    let symbolSignature: Int32
    let symbolGuid: Int32
    let symbolVersion: Int32
    let symbolCEBNamespace: Int32
    let symbolDsigNamespace: Int32
    /// Index of the inspection message (documents found inside `ExtendMessage`), or -1.
    let inspectionMessage: Int

    static let shared = DecoderTables(catalog: MessageCatalog.all)

    init(catalog: [MessageSpec]) {
        var names: [String] = []
        var index: [String: Int32] = [:]
        func symbol(_ name: String) -> Int32 {
            if let found = index[name] { return found }
            let new = Int32(names.count)
            names.append(name)
            index[name] = new
            return new
        }
        let envelope = [EnvelopeSpecs.baseTransfer, EnvelopeSpecs.baseSubscribe]
        for record in envelope { _ = symbol(record.element); record.fields.forEach { _ = symbol($0.name) } }
        for message in catalog {
            _ = symbol(message.root)
            message.rootAliases.forEach { _ = symbol($0) }
            _ = symbol(message.document.element)
            _ = symbol(message.document.head.element)
            message.document.head.fields.forEach { _ = symbol($0.name) }
            if let lines = message.document.lines {
                _ = symbol(lines.element)
                lines.fields.forEach { _ = symbol($0.name) }
            }
        }
        symbolExtendMessage = symbol(EnvelopeSpecs.extendMessage)
        symbolSignature = symbol(EnvelopeSpecs.signature)
        symbolGuid = symbol("guid")
        symbolVersion = symbol("version")
        symbolCEBNamespace = symbol(EnvelopeSpecs.cebNamespace)
        symbolDsigNamespace = symbol(EnvelopeSpecs.dsigNamespace)
        symbolBaseTransfer = index[EnvelopeSpecs.baseTransfer.element]!
        symbolBaseSubscribe = index[EnvelopeSpecs.baseSubscribe.element]!
        vocabulary = XMLVocabulary(names)

        func fieldTable(_ record: RecordSpec) -> UnsafeMutablePointer<Int16> {
            let table = UnsafeMutablePointer<Int16>.allocate(capacity: names.count)
            table.initialize(repeating: -1, count: names.count)
            for (position, field) in record.fields.enumerated() { table[Int(index[field.name]!)] = Int16(position) }
            return table
        }
        var roots = [Int32](repeating: -1, count: names.count)
        var documents: [Int32] = [], heads: [Int32] = [], lines: [Int32] = []
        var headTables: [UnsafeMutablePointer<Int16>] = [], lineTables: [UnsafeMutablePointer<Int16>?] = []
        var inspection = -1
        for (position, message) in catalog.enumerated() {
            for root in [message.root] + message.rootAliases { roots[Int(index[root]!)] = Int32(position) }
            documents.append(index[message.document.element]!)
            heads.append(index[message.document.head.element]!)
            lines.append(message.document.lines.map { index[$0.element]! } ?? -1)
            headTables.append(fieldTable(message.document.head))
            lineTables.append(message.document.lines.map(fieldTable))
            if message.number == "INSP" { inspection = position }
        }
        rootMessage = roots
        documentSymbol = documents
        headSymbol = heads
        lineSymbol = lines
        headFields = headTables
        lineFields = lineTables
        flat = catalog.map(\.document.isFlat)
        baseTransferFields = fieldTable(EnvelopeSpecs.baseTransfer)
        baseSubscribeFields = fieldTable(EnvelopeSpecs.baseSubscribe)
        inspectionMessage = inspection
    }
}
