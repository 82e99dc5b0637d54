/// The language of a report's labels. Scenario and team text is shown as written, whatever the language.
public enum ReportLanguage: String, Sendable, Hashable, CaseIterable {
    /// Simplified Chinese.
    case zh
    /// English.
    case en

    /// The label in this language.
    @inline(__always)
    func t(_ zh: String, _ en: String) -> String { self == .zh ? zh : en }

    /// The HTML `lang` attribute.
    var htmlLang: String { self == .zh ? "zh-CN" : "en" }
}
