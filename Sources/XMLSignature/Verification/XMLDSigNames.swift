/// Names of the XML-DSig vocabulary used by the signer and the verifier.
enum XMLDSig {
    /// The XML-DSig namespace.
    static let namespace = "http://www.w3.org/2000/09/xmldsig#"
    /// The enveloped-signature transform.
    static let envelopedTransform = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
    /// The exclusive C14N `InclusiveNamespaces` element's namespace.
    static let exclusiveNamespace = "http://www.w3.org/2001/10/xml-exc-c14n#"

    static let namespaceBytes = Array(namespace.utf8)
    static let signatureBytes = Array("Signature".utf8)
}
