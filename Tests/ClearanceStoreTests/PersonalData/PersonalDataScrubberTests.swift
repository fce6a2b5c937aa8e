import ClearanceStore
import Testing

/// Free-text masking: every bypass of the old ASCII-boundary scrubber, and what must survive.
@Suite struct PersonalDataScrubberTests {
    @Test(arguments: [
        // 18- and 15-character IDs
        ("id 350128199003070024, ok", "id 3501**********0024, ok"),
        ("x 35012819900307002X.", "x 3501**********002X."),
        ("legacy 350521900101496;", "legacy 35***********96;"),
        // next to CJK: no ASCII word boundary there
        ("身份证350128199003070024，电话13905912345。", "身份证3501**********0024，电话139****2345。"),
        ("买家13905912345下单", "买家139****2345下单"),
        // mobiles, with and without +86 / 0086, grouped or not
        ("tel 13905912345", "tel 139****2345"),
        ("+86 135 1234 1394", "+86 135 **** 1394"),
        ("+8613512341394", "+86135****1394"),
        ("(+86-135-1234-1394)", "(+86-135-****-1394)"),
        ("0086 13512341394", "0086 135****1394"),
        ("008613512341394", "0086135****1394"),
        ("电话：+86 13512341394", "电话：+86 135****1394"),
        ("a\r\n13905912345\r\n", "a\r\n139****2345\r\n"),
    ])
    func masks(line: String, expected: String) {
        #expect(PersonalDataScrubber.scrub(line) == expected)
    }

    @Test(arguments: [
        "guid ABC350128199003070024 and 4CDE1CFD-EDED-46B1-946C-B8022E42FC94",
        "appTime 20261125101112, 17-digit 20261125101112123",
        "amounts 13905912345.00 and 742.00 and 0.13905912345",
        "transaction HXPAY2026112509351200001, key k_13905912345",
        "barcode 4710088421013, ebpCode 91350128MA8T4K2Q5P, 12345678901 (not 1[3-9])",
        "not a date 350128199013070024 nor 350521901301496",
        "2026-11-25 10:11:12",
    ])
    func leavesAlone(line: String) {
        #expect(PersonalDataScrubber.scrub(line) == line)
    }

    @Test func masksInPlaceWithoutChangingLength() {
        var bytes = Array("电话13905912345".utf8)
        let count = bytes.count
        PersonalDataScrubber.scrub(&bytes)
        #expect(bytes.count == count)
        #expect(String(decoding: bytes, as: UTF8.self) == "电话139****2345")
    }
}
