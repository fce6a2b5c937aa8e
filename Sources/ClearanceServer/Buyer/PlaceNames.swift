/// Names for the codes on a buyer's route: the origin country of the goods (customs country codes),
/// the port and the customs office (customs district codes). A short table of the places Clearance's
/// shipments come through; an unknown code is shown as the code itself.
enum PlaceNames {
    /// Country or region code → (Chinese, English).
    static let countries: [String: (zh: String, en: String)] = [
        "110": ("中国香港", "Hong Kong"), "116": ("日本", "Japan"), "121": ("中国澳门", "Macao"), "132": ("新加坡", "Singapore"),
        "133": ("韩国", "South Korea"), "136": ("泰国", "Thailand"), "142": ("中国", "China"), "143": ("中国台湾", "Taiwan"),
        "303": ("英国", "United Kingdom"), "304": ("德国", "Germany"), "305": ("法国", "France"), "307": ("意大利", "Italy"),
        "312": ("西班牙", "Spain"), "330": ("瑞典", "Sweden"), "331": ("瑞士", "Switzerland"), "309": ("荷兰", "Netherlands"),
        "501": ("加拿大", "Canada"), "502": ("美国", "United States"), "601": ("澳大利亚", "Australia"), "609": ("新西兰", "New Zealand"),
    ]

    /// Customs district code (port or office) → (Chinese, English).
    static let customs: [String: (zh: String, en: String)] = [
        "3500": ("福州海关", "Fuzhou Customs"), "3501": ("福州海关", "Fuzhou Customs"), "3516": ("平潭", "Pingtan"),
        "3511": ("福州长乐机场", "Fuzhou Changle Airport"), "3701": ("厦门海关", "Xiamen Customs"),
    ]

    /// The name of a country code in `language`.
    static func country(_ code: String, _ language: OpsLanguage) -> String {
        countries[code].map { language == .zh ? $0.zh : $0.en } ?? code
    }

    /// The name of a customs district code in `language`.
    static func customsPlace(_ code: String, _ language: OpsLanguage) -> String {
        customs[code].map { language == .zh ? $0.zh : $0.en } ?? code
    }
}
