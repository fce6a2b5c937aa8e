/// Specs of the parts every CEB message shares, and the namespaces it uses.
public enum EnvelopeSpecs {
    /// `http://www.chinaport.gov.cn/ceb`.
    public static let cebNamespace = "http://www.chinaport.gov.cn/ceb"
    /// `http://www.w3.org/2000/09/xmldsig#`.
    public static let dsigNamespace = "http://www.w3.org/2000/09/xmldsig#"

    /// `BaseTransfer`, as both official editions define it (`scripts/cebspec.py` checks these two records
    /// against every official file). Official lengths are maxima only: an empty `copName` is schema-valid.
    public static let baseTransfer = RecordSpec(element: "BaseTransfer", fields: [
        FieldSpec("copCode", .string(minLength: 1, maxLength: 18), required: true),
        FieldSpec("copName", .string(minLength: 0, maxLength: 100), required: true),
        FieldSpec("dxpMode", .enumeration(["DXP"]), required: true),
        FieldSpec("dxpId", .string(minLength: 0, maxLength: 30), required: true),
        FieldSpec("note", .string(minLength: 0, maxLength: 1000), required: false),
    ])

    /// `BaseSubscribe`.
    public static let baseSubscribe = RecordSpec(element: "BaseSubscribe", fields: [
        FieldSpec("status", .string(minLength: 0, maxLength: 100), required: true),
        FieldSpec("dxpMode", .enumeration(["DXP"]), required: true),
        FieldSpec("dxpAddress", .string(minLength: 0, maxLength: 100), required: true),
        FieldSpec("note", .string(minLength: 0, maxLength: 1000), required: false),
    ])

    /// `ExtendMessage` (its `Message` child may hold any XML, such as an inspection `InspOrder`).
    public static let extendMessage = "ExtendMessage"
    /// `Signature`, in the XML-DSig namespace.
    public static let signature = "Signature"
}
