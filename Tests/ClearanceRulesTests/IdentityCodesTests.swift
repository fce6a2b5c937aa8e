import ClearanceRules
import Testing

@Suite struct IdentityCodesTests {
    @Test(arguments: ["350102199001010016", "350128198512030026", "350102200002291230", "11010519491231002X", "11010519491231002x"])
    func validResidentIDs(id: String) {
        #expect(IdentityCodes.isValidResidentID(id))
    }

    @Test(arguments: ["350102199001010017", "35010219900101001X", "3501021990010100", "35010219900101001A", ""])
    func invalidResidentIDs(id: String) {
        #expect(!IdentityCodes.isValidResidentID(id))
    }

    @Test(arguments: ["91350128MA2Y8N3K1M", "91350100315489761Y", "91110000600037341L"])
    func validSocialCreditCodes(code: String) {
        #expect(IdentityCodes.isValidSocialCreditCode(code))
    }

    @Test(arguments: ["91350128MA2Y8N3K1N", "91350128MA2Y8N3KIM", "9135012", "91350100315489761I"])
    func invalidSocialCreditCodes(code: String) {
        #expect(!IdentityCodes.isValidSocialCreditCode(code))
    }

    @Test func codeTablesKnowTheCustomsCodes() {
        #expect(CodeTable.countries.contains("143"))
        #expect(CodeTable.countries.contains("142"))
        #expect(!CodeTable.countries.contains("999"))
        #expect(!CodeTable.countries.contains("CN"))
        #expect(CodeTable.currencies.contains("142"))
        #expect(!CodeTable.currencies.contains("CNY"))
        #expect(CodeTable.units.contains("011"))
        #expect(!CodeTable.units.contains("11"))
    }
}
