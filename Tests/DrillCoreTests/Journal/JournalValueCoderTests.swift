import DrillCore
import Testing

@Suite("The journal value coder: Codable straight to the value tree")
struct JournalValueCoderTests {
    struct Sample: Codable, Equatable {
        struct Inner: Codable, Equatable {
            var list: [Int]
            var flag: Bool?
        }
        var name: String
        var count: Int64
        var ratio: Double
        var small: Int32?
        var missing: String?
        var inner: Inner
        var byName: [String: Int64]
        var byPhase: [ResponsePhase: Double]
        var phases: [ResponsePhase]
    }

    static let sample = Sample(
        name: "网站 \"quoted\"",
        count: Int64.max,
        ratio: 2.5,
        small: -7,
        missing: nil,
        inner: .init(list: [1, 2, 3], flag: true),
        byName: ["a": 1],
        byPhase: [.report: 3],
        phases: [.acknowledge, .resolve]
    )

    @Test("encodes members once each, nil ones left out, and decodes back to the same value")
    func roundTrip() throws {
        let value = try JournalValueEncoder().encode(Self.sample)
        #expect(value["name"] == "网站 \"quoted\"")
        #expect(value["count"] == .int(Int64.max))
        #expect(value["small"] == .int(-7))
        #expect(value["missing"] == nil)
        #expect(value["inner"]?["list"] == [1, 2, 3])
        #expect(value["byPhase"] == ["report": 3.0])
        #expect(value["phases"] == ["acknowledge", "resolve"])
        #expect(try JournalValueDecoder().decode(Sample.self, from: value) == Self.sample)
    }

    @Test("numbers convert where they fit exactly; otherwise the member is named in the error")
    func numbers() throws {
        var value = try JournalValueEncoder().encode(Self.sample)
        if case .object(var members) = value {
            members["ratio"] = .int(3)
            members["small"] = .double(4.0)
            value = .object(members)
        }
        let decoded = try JournalValueDecoder().decode(Sample.self, from: value)
        #expect(decoded.ratio == 3)
        #expect(decoded.small == 4)
        if case .object(var members) = value {
            members["small"] = .int(Int64(Int32.max) + 1)
            let error = #expect(throws: DecodingError.self) {
                try JournalValueDecoder().decode(Sample.self, from: .object(members))
            }
            #expect("\(String(describing: error))".contains("small"))
        }
    }

    @Test("members a type does not know are ignored; a missing required one is an error")
    func unknownAndMissing() throws {
        let payload: JournalValue = ["phase": "report", "text": "x", "fromTheFuture": [1, 2]]
        #expect(try ResponsePayload(journalValue: payload) == ResponsePayload(phase: .report, text: "x"))
        #expect(throws: DecodingError.self) { try ResponsePayload(journalValue: ["text": "x"]) }
    }
}
