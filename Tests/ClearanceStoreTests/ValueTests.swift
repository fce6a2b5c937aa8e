import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceStore

@Suite("Values, masking, URLs, COPY encoding")
struct ValueTests {
    @Test("FixedDecimal parses and prints exactly")
    func fixedDecimal() {
        #expect(FixedDecimal("123.45")?.scaled == 12_345_000)
        #expect(FixedDecimal("-0.00001")?.scaled == -1)
        #expect(FixedDecimal("+7")?.description == "7.00000")
        #expect(FixedDecimal("1.500000")?.scaled == 150_000)
        #expect(FixedDecimal("92233720368547.75807")?.scaled == Int64.max)
        #expect(FixedDecimal(scaled: -150_000).description == "-1.50000")
        for bad in ["", "-", ".", "1.000001", "1e5", "1,000", "1.2.3", "92233720368548"] {
            #expect(FixedDecimal(bad) == nil, "\(bad)")
        }
        #expect(FixedDecimal("0.1")! < FixedDecimal("0.2")!)
    }

    @Test("hex decodes every byte, either case, and refuses odd lengths and non-digits")
    func hex() {
        let every = (0...255).map { UInt8($0) }
        #expect(Hex.decode(Hex.encode(every)) == every)
        #expect(Hex.decode(Hex.encode(every).uppercased()) == every)
        #expect(Hex.decode("") == [])
        #expect(Hex.decode("0aFf") == [0x0a, 0xff])
        for bad in ["0", "abc", "0g", "g0", " 0", "0x00", "ÿÿ"] { #expect(Hex.decode(bad) == nil, "\(bad)") }
        let text = Array("00ff7f".utf8)
        #expect(text.withUnsafeBufferPointer { Hex.decode($0) } == [0x00, 0xff, 0x7f])
    }

    @Test("buyer ID hash is keyed, normalised and stable")
    func idHash() throws {
        let masker = try BuyerIdentityMasker(salt: testSalt)
        let id = "35010219900101123X"
        #expect(masker.hash(idNumber: id) == masker.hash(idNumber: " 35010219900101123x "))
        #expect(masker.hash(idNumber: id).count == 64)
        #expect(masker.hash(idNumber: id) != (try BuyerIdentityMasker(salt: Array("another-salt-0123456789".utf8))).hash(idNumber: id))
        #expect(masker.hash(idNumber: id) != SHA256Digest.hex(of: Array(id.utf8)))
        #expect(throws: StoreError.self) { try BuyerIdentityMasker(salt: [1, 2, 3]) }
        // Known answer computed independently: printf ABC | openssl dgst -sha256 -hmac 0123456789abcdef
        // ("abc" is upper-cased by normalisation first).
        let known = try BuyerIdentityMasker(salt: Array("0123456789abcdef".utf8)).hash(idNumber: "abc")
        #expect(known == "38fd6e05b9ba154d6de80492ca70a9b1cfb820f0edcc05847b3b253a247ff955")
        // A salt longer than SHA-256's block is hashed first (Python: hmac.new(b"k" * 80, b"E12345678", sha256)).
        let long = try BuyerIdentityMasker(salt: Array(repeating: UInt8(ascii: "k"), count: 80)).hash(idNumber: "\te12345678\r\n")
        #expect(long == "4908be2cf5941b6c8fc3ab5f8043d544bfc8d4e265d0779941f5d4244e4e2c7a")
    }

    @Test("masked display forms")
    func masks() {
        #expect(BuyerIdentityMasker.maskIdNumber("35010219900101123X") == "3501**********123X")
        #expect(BuyerIdentityMasker.maskIdNumber("35010219900101123x") == "3501**********123X")
        #expect(BuyerIdentityMasker.maskIdNumber("E12345678") == "E1*****78")
        #expect(BuyerIdentityMasker.maskIdNumber("12345") == "*****")
        #expect(BuyerIdentityMasker.maskTelephone("13812345678") == "138****5678")
        #expect(BuyerIdentityMasker.maskTelephone("0591-87654321") == "059******4321")
        #expect(BuyerIdentityMasker.maskTelephone("12345") == "***45")
        // Whitespace trimmed first, ASCII and not (U+3000 ideographic space, a CR LF pair); non-ASCII
        // characters masked as characters, not bytes.
        #expect(BuyerIdentityMasker.maskIdNumber(" \tE12345678\r\n") == "E1*****78")
        #expect(BuyerIdentityMasker.maskIdNumber("\u{3000}e12345678\u{3000}") == "E1*****78")
        #expect(BuyerIdentityMasker.maskIdNumber("台胞證12345678") == "台胞*******78")
        #expect(BuyerIdentityMasker.maskIdNumber("   ") == "")
        #expect(BuyerIdentityMasker.maskIdNumber("E1234\r\n5678") == "E1******78")  // CR LF: one character
        #expect(BuyerIdentityMasker.maskTelephone(" 13812345678\n") == "138****5678")
        #expect(" a b ".trimmingSpaces == "a b" && "ab".trimmingSpaces == "ab" && "\u{85}x\u{3000}".trimmingSpaces == "x")
    }

    @Test("store URLs choose the engine")
    func urls() throws {
        #expect(try StoreLocation(url: nil) == .sqlite(path: "clearance.sqlite"))
        #expect(try StoreLocation(url: "  ") == .sqlite(path: "clearance.sqlite"))
        #expect(try StoreLocation(url: "sqlite:/var/lib/c.db") == .sqlite(path: "/var/lib/c.db"))
        #expect(try StoreLocation(url: "sqlite:///var/lib/c.db") == .sqlite(path: "/var/lib/c.db"))
        #expect(try StoreLocation(url: "data/c.sqlite") == .sqlite(path: "data/c.sqlite"))
        #expect(try StoreLocation(url: "postgresql://u:pw@db/clearance") == .postgresql(conninfo: "postgresql://u:pw@db/clearance"))
        #expect(try StoreLocation(url: "postgres://") == .postgresql(conninfo: "postgres://"))
        #expect(try StoreLocation(url: "postgresql://u:pw@db/clearance").description == "postgresql://u:***@db/clearance")
        #expect(throws: StoreError.self) { try StoreLocation(url: "mysql://db/x") }
        #expect(throws: StoreError.self) { try StoreLocation(url: "sqlite:") }
    }

    @Test("a bad PostgreSQL URL fails at open with libpq's reason")
    func badPostgres() async throws {
        let dir = try PostgresTestServer.require().directory
        await #expect {
            _ = try await openStore(url: "postgresql://nobody@/nodb?host=\(dir)&port=1", options: .init(buyerIdSalt: testSalt))
        } throws: { error in
            guard case StoreError.connectionFailed(.postgresql, _, let message) = error else { return false }
            return !message.isEmpty
        }
    }

    @Test("COPY text format escapes separators, NULL and bytea")
    func copyEncoding() {
        var e = PGCopyEncoder()
        e.row([.text("a\tb\\c\nd\re"), .null, .integer(-5), .decimal(FixedDecimal("1.5")!), .blob([0x00, 0xff]), .text("中文")])
        #expect(String(decoding: e.buffer, as: UTF8.self) == "a\\tb\\\\c\\nd\\re\t\\N\t-5\t1.50000\t\\\\x00ff\t中文\n")
    }

    @Test("COPY text of integers (as Swift writes them) and amounts (NUMERIC literals with five places), edges included")
    func copyNumbers() {
        let integers: [Int64] = [0, 7, -7, 10, 99_999, 100_000, Int64.max, Int64.min]
        let amounts = ["0", "0.00001", "-0.5", "12.34567", "-99999.99999", "100000", "92233720368547.75807"].map { FixedDecimal($0)! }
            + [FixedDecimal(scaled: Int64.min + 1)]
        var e = PGCopyEncoder()
        e.row(integers.map { .integer($0) } + amounts.map { .decimal($0) } + [.text(""), .text("\\"), .text("tail\t")])
        let amountTexts = ["0.00000", "0.00001", "-0.50000", "12.34567", "-99999.99999", "100000.00000",
                           "92233720368547.75807", "-92233720368547.75807"]
        #expect(amounts.map(\.description) == amountTexts)
        let expected = integers.map(String.init) + amountTexts + ["", "\\\\", "tail\\t"]
        #expect(String(decoding: e.buffer, as: UTF8.self) == expected.joined(separator: "\t") + "\n")
    }

    @Test("SQLite placeholders are renumbered, not reordered")
    func dialect() {
        #expect(SQLDialect.sqlite.translate("SELECT $2, $1, $10") == "SELECT ?2, ?1, ?10")
        #expect(SQLDialect.postgresql.translate("SELECT $1") == "SELECT $1")
    }
}
