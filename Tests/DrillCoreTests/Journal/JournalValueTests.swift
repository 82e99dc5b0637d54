import DrillCore
import Testing

@Suite("Journal values: canonical JSON and parsing")
struct JournalValueTests {
    @Test("Canonical JSON sorts keys by bytes, has no whitespace, and keeps ints and doubles apart")
    func canonicalForm() {
        let value: JournalValue = [
            "b": 1, "a": [true, false, nil], "Z": 2.5, "whole": .double(3), "s": "云南 \"quoted\" \\ \n\t\u{01}",
        ]
        #expect(
            value.canonicalJSON
                == #"{"Z":2.5,"a":[true,false,null],"b":1,"s":"云南 \"quoted\" \\ \n\t\u0001","whole":3.0}"#
        )
    }

    @Test("Non-finite doubles are written as null")
    func nonFinite() {
        #expect(JournalValue.array([.double(.infinity), .double(.nan)]).canonicalJSON == "[null,null]")
    }

    @Test(
        "Canonical JSON reads back to the same value",
        arguments: [
            JournalValue.null, true, 0, -9_223_372_036_854_775_808, 9_223_372_036_854_775_807, 0.1, -1.5e-7, 1e300,
            "", "emoji 🚨 and 中文", ["nested": ["deep": [1, 2, ["x": nil]]]], [],
            .object([:]),
        ]
    )
    func roundTrip(value: JournalValue) throws {
        let text = value.canonicalJSON
        let parsed = try JournalValue(json: text)
        #expect(parsed == value)
        #expect(parsed.canonicalJSON == text)
    }

    @Test("The parser accepts ordinary JSON with whitespace, escapes and surrogate pairs")
    func parsesOrdinaryJSON() throws {
        let value = try JournalValue(json: #" { "a" : [ 1 , 2.0 , -3e2 ] , "b" : "\u00e9\ud83d\ude00\/\b" } "#)
        #expect(value["a"] == [1, 2.0, -300.0])
        #expect(value["b"] == .string("é😀/\u{08}"))
    }

    @Test(
        "The parser rejects malformed text and says where",
        arguments: [
            ("", 0), ("{", 1), (#"{"a" 1}"#, 5), ("[1,]", 3), ("01", 1), ("tru", 0), (#""abc"#, 4),
            (#""\ud800x""#, 7), ("1 2", 2), ("-", 0), ("1.", 2), ("\"a\u{01}\"", 2),
        ]
    )
    func rejectsMalformed(text: String, offset: Int) {
        #expect(throws: JournalValue.ParseError.self) { try JournalValue(json: text) }
        do {
            _ = try JournalValue(json: text)
        } catch {
            #expect(error.offset == offset, "\(error)")
        }
    }

    @Test("Deep nesting is refused instead of overflowing the stack")
    func deepNesting() {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JournalValue.ParseError.self) { try JournalValue(json: text) }
    }
}
