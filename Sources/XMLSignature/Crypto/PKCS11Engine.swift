import COpenSSL
import Foundation

/// The process's one PKCS#11 route: libp11's `pkcs11` OpenSSL engine (Debian 12: libengine-pkcs11-openssl).
///
/// Why the engine: it hands back an ordinary `EVP_PKEY` whose private operations run on the token, so
/// `EVPKey.sign` — and with it every signing site (sign, the delivery worker, the simulator, webhooks) —
/// works unchanged. Debian 12 has no pkcs11-provider (it arrives in Debian 13; moving to it means loading
/// the same URI through `OSSL_STORE_open` instead), and talking to the PKCS#11 API ourselves would
/// repeat what libp11 already does (module loading, slot and object lookup, login, a session pool for
/// concurrent signatures, RSA DigestInfo padding, ECDSA value encoding).
///
/// An engine is process-wide and libp11 loads one module per engine, so one process talks to one PKCS#11
/// module: the first key loaded chooses it (`module-path` in the URI, else `$CLEARANCE_PKCS11_MODULE`, else
/// libp11's default, p11-kit's proxy, which reaches every module registered with p11-kit). Loading keys is
/// serialised by a lock (the PIN is engine state); signing with loaded keys is not.
final class PKCS11Engine: @unchecked Sendable {
    /// The engine (a functional reference, kept for the process lifetime).
    private let engine: OpaquePointer
    /// The module asked for when the engine started; `nil`: libp11's default.
    let modulePath: String?
    /// A UI method that never prompts (kept for the process lifetime: libp11 keeps the pointer for re-logins).
    private let noPrompt: OpaquePointer?

    private static let lock = NSLock()
    /// The engine once started; guarded by `lock`.
    nonisolated(unsafe) private static var shared: PKCS11Engine?

    private init(modulePath: String?) throws(CryptoError) {
        OpenSSL.clearErrors()
        guard let engine = clearance_engine_open("pkcs11", modulePath) else {
            throw .pkcs11Unavailable(detail: "cannot start the pkcs11 engine" + (modulePath.map { " with module \($0)" } ?? "")
                                     + ": " + OpenSSL.drainErrors())
        }
        self.engine = engine
        self.modulePath = modulePath
        self.noPrompt = clearance_no_prompt_ui()
    }

    /// Loads the private key `uri` names, logging in with `pin` when the token asks.
    ///
    /// - Throws: `pkcs11Unavailable`, `pkcs11ModuleConflict`, `pkcs11PINRequired`, `pkcs11WrongPIN`,
    ///   `pkcs11PINLocked`, `pkcs11KeyNotFound`.
    static func loadPrivateKey(_ uri: PKCS11URI, pin: [UInt8]?) throws(CryptoError) -> EVPKey {
        lock.lock()
        defer { lock.unlock() }
        let environment = ProcessInfo.processInfo.environment["CLEARANCE_PKCS11_MODULE"].flatMap { $0.isEmpty ? nil : $0 }
        let requested = uri.modulePath ?? environment
        let engine: PKCS11Engine
        if let shared {
            if let requested, requested != shared.modulePath {
                throw .pkcs11ModuleConflict(loaded: shared.modulePath ?? "(libp11's default)", requested: requested)
            }
            engine = shared
        } else {
            if let requested, !FileManager.default.fileExists(atPath: requested) {
                throw .pkcs11Unavailable(detail: "the PKCS#11 module \(requested) does not exist")
            }
            engine = try PKCS11Engine(modulePath: requested)
            shared = engine
        }
        return try engine.load(uri, pin: pin)
    }

    private func load(_ uri: PKCS11URI, pin: [UInt8]?) throws(CryptoError) -> EVPKey {
        OpenSSL.clearErrors()
        if let pin {
            // A C string for the engine, wiped as soon as the engine has copied it.
            var text = pin.map { CChar(bitPattern: $0) } + [0]
            defer { for index in text.indices { text[index] = 0 } }
            guard clearance_engine_command(engine, "PIN", text, 0) == 1 else {
                throw .pkcs11Unavailable(detail: "the engine refused the PIN command: " + OpenSSL.drainErrors())
            }
        }
        guard let key = clearance_engine_load_private_key(engine, uri.keyReference, noPrompt) else {
            throw Self.classify(OpenSSL.drainErrors(), uri: uri, pinGiven: pin != nil)
        }
        return EVPKey(taking: key)
    }

    /// Turns libp11's error queue into a stable error. libp11 reports the module's `CKR_…` value as the
    /// reason of its "PKCS#11 module" library, whose number is assigned at run time: hence the reason texts.
    static func classify(_ detail: String, uri: PKCS11URI, pinGiven: Bool) -> CryptoError {
        let lowered = detail.lowercased()
        if lowered.contains("pin incorrect") || lowered.contains("pin invalid") || lowered.contains("pin len range") {
            return .pkcs11WrongPIN
        }
        if lowered.contains("pin locked") || lowered.contains("pin expired") { return .pkcs11PINLocked }
        if !pinGiven, lowered.contains("user not logged in") || lowered.contains("login") || lowered.contains("ui ") {
            return .pkcs11PINRequired
        }
        if lowered.contains("dso") || lowered.contains("module") && lowered.contains("load") {
            return .pkcs11Unavailable(detail: detail)
        }
        return .pkcs11KeyNotFound(uri: uri.keyReference, detail: detail)
    }
}
