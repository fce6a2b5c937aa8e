import ArgumentParser
import ClearanceRouting
import ClearanceServer
import ClearanceStore
import Foundation
import XMLSignature

/// `clearance enterprise …`: service accounts, API keys and signing certificates.
struct EnterpriseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enterprise",
        abstract: "Manage service accounts: enterprises (merchant, system, ops), API keys and signing certificates.",
        subcommands: [Add.self, List.self, Key.self, Cert.self, Webhook.self]
    )

    /// The actor recorded in the audit log.
    static var actor: String { "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "unknown") }

    /// Opens the store, runs `body`, and closes the store whatever happens.
    static func with<T>(_ store: StoreOption, _ body: (any AccessStore) async throws -> T) async throws -> T {
        let opened = try await store.openAccess()
        return try await opened.closing { try await body(opened) }
    }

    static func fail(_ error: any Error) -> ExitCode {
        OutputBuffer.standardError("clearance: \(error)\n")
        return Exit.usage
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add or update an enterprise (customs registration or social credit code).")
        @OptionGroup var store: StoreOption
        @Argument(help: "Enterprise code (ops accounts: any name).") var code: String
        @Option(help: "Display name.") var name: String
        @Option(help: "merchant, system, ops or authority.") var role: String
        @Option(help: "With --role authority: customs, inspection, payment-fx or cross-strait (its receipts answer what the routing table sends to destinations of that authority).")
        var authority: String?
        @Option(help: "Largest batch upload in bytes (default: the service's).") var maxBatchBytes: Int64?
        @Option(help: "Webhook URL for status changes (a signing secret is created and printed once).") var webhook: String?
        @Flag(help: "Let --webhook point at a loopback, link-local or private address (refused otherwise).") var allowPrivate = false

        func run() async throws {
            guard let parsed = EnterpriseRole(rawValue: role) else { throw Self.fail(role) }
            let kind = try authority.map { (raw: String) throws -> AuthorityKind in
                guard let kind = AuthorityKind(rawValue: raw) else {
                    OutputBuffer.standardError("clearance: --authority must be \(AuthorityKind.allCases.map(\.rawValue).joined(separator: ", ")), not '\(raw)'\n")
                    throw Exit.usage
                }
                return kind
            }
            guard (parsed == .authority) == (kind != nil) else {
                OutputBuffer.standardError("clearance: --role authority goes with --authority, and only it\n")
                throw Exit.usage
            }
            // A refused webhook URL saves nothing.
            if let webhook {
                do { try PrivateAddresses.checkURL(webhook, allowPrivate: allowPrivate) } catch { throw EnterpriseCommand.fail(error) }
            }
            try await EnterpriseCommand.with(store) { opened in
                var registration: WebhookRegistration?
                do {
                    let existing = try await opened.enterprise(code: code)
                    var record = existing ?? EnterpriseRecord(code: code, name: name, role: parsed)
                    record.name = name
                    record.role = parsed
                    record.authority = kind
                    record.maxBatchBytes = maxBatchBytes ?? existing?.maxBatchBytes
                    let admin = EnterpriseAdmin(store: opened)
                    try await admin.addEnterprise(record, actor: EnterpriseCommand.actor)
                    if let webhook {
                        registration = try await admin.registerWebhook(
                            enterpriseCode: code, url: webhook, allowPrivate: allowPrivate, actor: EnterpriseCommand.actor)
                    }
                } catch {
                    throw EnterpriseCommand.fail(error)
                }
                let output = OutputBuffer()
                output.line("enterprise \(code) (\(parsed.rawValue)\(kind.map { ": \($0.rawValue)" } ?? "")) saved")
                if let registration { Webhook.report(registration, code: code, output) }
                output.flush()
            }
        }

        static func fail(_ role: String) -> ExitCode {
            OutputBuffer.standardError("clearance: role must be merchant, system, ops or authority, not '\(role)'\n")
            return Exit.usage
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List enterprises with their keys (prefixes only).")
        @OptionGroup var store: StoreOption

        func run() async throws {
            try await EnterpriseCommand.with(store) { opened in
                let output = OutputBuffer()
                do {
                    for e in try await opened.enterprises() {
                        let keys = try await opened.apiKeys(enterpriseCode: e.code)
                        let active = keys.filter { $0.revokedAt == nil }.map(\.prefix)
                        output.line("\(e.code)\t\(e.role.rawValue)\t\(e.name)\tkeys: \(active.isEmpty ? "-" : active.joined(separator: ","))"
                            + "\tcertificate: \(e.certificatePEM == nil ? "-" : (e.requireSignature ? "required" : "optional"))"
                            + "\twebhook: \(e.webhookURL ?? "-")\(e.webhookAllowPrivate ? " (private address allowed)" : "")")
                    }
                } catch {
                    throw EnterpriseCommand.fail(error)
                }
                output.flush()
            }
        }
    }

    struct Webhook: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register, change or remove an enterprise's webhook (effective in a running service within seconds).",
            discussion: """
                A signing secret is created with the first registration (and with --rotate-secret) and printed once: \
                every delivery carries X-Clearance-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>.
                URLs naming a loopback, link-local or private address (10/8, 172.16/12, 192.168/16, 127/8, 169.254/16, \
                ::1, fc00::/7, fe80::/10, 0.0.0.0, localhost) are refused, here and again at every delivery once the host \
                is resolved, unless --allow-private is given. Redirects are never followed.
                """)
        @OptionGroup var store: StoreOption
        @Argument(help: "Enterprise code.") var code: String
        @Argument(help: "Webhook URL (http or https).") var url: String?
        @Flag(help: "Create a new signing secret (the old one stops working at once).") var rotateSecret = false
        @Flag(help: "Remove the webhook and its secret.") var remove = false
        @Flag(help: "Allow a loopback, link-local or private address (e.g. a receiver on this machine).") var allowPrivate = false

        func validate() throws {
            guard remove != (url != nil) else { throw ValidationError("give either a URL or --remove") }
            guard !(remove && rotateSecret) else { throw ValidationError("--rotate-secret needs a URL") }
        }

        func run() async throws {
            try await EnterpriseCommand.with(store) { opened in
                let admin = EnterpriseAdmin(store: opened)
                let output = OutputBuffer()
                do {
                    if let url {
                        Self.report(try await admin.registerWebhook(
                            enterpriseCode: code, url: url, rotateSecret: rotateSecret, allowPrivate: allowPrivate,
                            actor: EnterpriseCommand.actor), code: code, output)
                    } else {
                        let had = try await admin.removeWebhook(enterpriseCode: code, actor: EnterpriseCommand.actor)
                        output.line(had ? "webhook of \(code) removed" : "\(code) had no webhook")
                    }
                } catch {
                    throw EnterpriseCommand.fail(error)
                }
                output.flush()
            }
        }

        static func report(_ registration: WebhookRegistration, code: String, _ output: OutputBuffer) {
            output.line("webhook of \(code): \(registration.url)")
            if let secret = registration.newSecret {
                output.line("webhook signing secret (shown once; verify X-Clearance-Signature with it): \(secret)")
            }
        }
    }

    struct Key: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create or revoke API keys.", subcommands: [Create.self, Revoke.self])

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Create an API key; it is printed once and stored hashed.")
            @OptionGroup var store: StoreOption
            @Argument(help: "Enterprise code.") var code: String

            func run() async throws {
                try await EnterpriseCommand.with(store) { opened in
                    do {
                        let (key, record) = try await EnterpriseAdmin(store: opened).createKey(enterpriseCode: code, actor: EnterpriseCommand.actor)
                        let output = OutputBuffer()
                        output.line(key)
                        output.flush()
                        OutputBuffer.standardError("clearance: key \(record.prefix)… created for \(code); it is not shown again\n")
                    } catch {
                        throw EnterpriseCommand.fail(error)
                    }
                }
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke an enterprise's key by its prefix (first 12 characters).")
            @OptionGroup var store: StoreOption
            @Argument(help: "Enterprise code.") var code: String
            @Argument(help: "Key prefix, e.g. clr_1a2b3c4d (a whole key works too).") var prefix: String

            func run() async throws {
                try await EnterpriseCommand.with(store) { opened in
                    let count: Int
                    do {
                        count = try await EnterpriseAdmin(store: opened).revokeKey(
                            enterpriseCode: code, prefix: APIKey.prefix(of: prefix), actor: EnterpriseCommand.actor)
                    } catch {
                        throw EnterpriseCommand.fail(error)
                    }
                    guard count > 0 else {
                        OutputBuffer.standardError("clearance: no active key \(APIKey.prefix(of: prefix)) for \(code)\n")
                        throw Exit.invalid
                    }
                    let output = OutputBuffer()
                    output.line("revoked \(count) key(s) of \(code)")
                    output.flush()
                }
            }
        }
    }

    struct Cert: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Signing certificates of enterprises.", subcommands: [Register.self])

        struct Register: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Register the certificate an enterprise signs its messages with (PEM).",
                discussion: """
                    Messages claiming the enterprise's copCode must then verify with this certificate; --optional accepts \
                    unsigned ones. With --client the certificate instead authenticates the enterprise over mutual TLS \
                    (clearance serve --tls-cert … --client-ca …); only its SHA-256 is stored.
                    """)
            @OptionGroup var store: StoreOption
            @Argument(help: "Enterprise code.") var code: String
            @Argument(help: "Certificate file (PEM).") var file: String
            @Flag(help: "Accept unsigned messages (signed ones must still verify).") var optional = false
            @Flag(help: "Register a mutual-TLS client certificate instead of a signing certificate.") var client = false

            func run() async throws {
                let pem: String
                let certificates: [Certificate]
                do {
                    pem = try String(contentsOfFile: file, encoding: .utf8)
                    certificates = try Certificate.all(pem: pem)
                    guard !certificates.isEmpty else { throw CryptoError.invalidCertificate(detail: "no certificate in \(file)") }
                } catch {
                    throw EnterpriseCommand.fail(error)
                }
                try await EnterpriseCommand.with(store) { opened in
                    do {
                        let admin = EnterpriseAdmin(store: opened)
                        if client {
                            try await admin.registerClientCertificate(
                                enterpriseCode: code, der: certificates[0].derBytes, actor: EnterpriseCommand.actor)
                        } else {
                            try await admin.registerCertificate(enterpriseCode: code, pem: pem, require: !optional, actor: EnterpriseCommand.actor)
                        }
                    } catch {
                        throw EnterpriseCommand.fail(error)
                    }
                    let output = OutputBuffer()
                    output.line(client ? "client certificate registered for \(code) (mutual TLS)"
                                       : "certificate registered for \(code) (signature \(optional ? "optional" : "required"))")
                    output.flush()
                }
            }
        }
    }
}
