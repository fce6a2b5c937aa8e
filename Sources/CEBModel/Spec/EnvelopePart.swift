/// A part of a CEB message after its documents, in the order the official schema puts them.
///
/// The order differs between the families: import messages end `ExtendMessage, ds:Signature`,
/// export messages `ds:Signature, ExtendMessage`. Customs receipts have none of these parts.
public enum EnvelopePart: String, Sendable, Equatable, CaseIterable {
    /// `ceb:BaseTransfer`: the sending enterprise (declarations only).
    case baseTransfer = "BaseTransfer"
    /// `ceb:BaseSubscribe`: who else receives the receipts.
    case baseSubscribe = "BaseSubscribe"
    /// `ceb:ExtendMessage`: any XML a region adds (inspection data…).
    case extendMessage = "ExtendMessage"
    /// `ds:Signature`: the enterprise's XML signature.
    case signature = "Signature"
}
