import DrillCore
import Testing

@Suite("EventKey: every idempotency key from one type")
struct EventKeyTests {
    static let keys: [(EventKey, String)] = [
        (.startex, "startex"),
        (.endex, "endex"),
        (.injectIntent(inject: "webshell", occurrence: 1, team: nil), "inject:webshell#1"),
        (.injectIntent(inject: "escalate", occurrence: 1, team: "yn-telecom"), "inject:escalate#1>yn-telecom"),
        (.injectFired(intent: "inject:webshell#42"), "fired:inject:webshell#42"),
        (.hostAction(inject: "w", occurrence: 2, team: nil, step: 3, host: "web01.yn"), "action:w#2/3@web01.yn"),
        (.hostAction(inject: "e", occurrence: 1, team: "t", step: 0, host: "h@odd"), "action:e#1>t/0@h@odd"),
        (.delivered(inject: "w", occurrence: 1, team: "gz"), "delivered:w#1>gz"),
        (.cleanup(inject: "w", attempt: 3, host: "web01"), "cleanup:w#3@web01"),
        (.uncertain(intentSequence: 77), "uncertain:77"),
        (.simulatedResponse(inject: "w", team: "t", phase: .report), "sim:w>t/report"),
        (.deadline(inject: "w", team: "t", phase: .resolve), "deadline:w>t/resolve"),
        (.verdict(inject: "w", team: "t", phase: .acknowledge, number: 2), "verdict:w>t/acknowledge#2"),
    ]

    @Test("each key writes the wire form journals hold, and reads back from it")
    func roundTrip() {
        for (key, text) in Self.keys {
            #expect(key.description == text)
            #expect(EventKey(parsing: text) == key, "\(text)")
        }
    }

    @Test(
        "text that is not a key's form reads as nil, never as a wrong key",
        arguments: [
            "", "inject:", "inject:#1", "inject:w", "inject:w#x", "inject:w#1>", "action:w#1/x@h", "fired:nothing",
            "verdict:w>t/report", "sim:w/report", "cleanup:w@h", "uncertain:x", "teleport:w",
        ]
    )
    func refusesOtherText(_ text: String) {
        #expect(EventKey(parsing: text) == nil)
    }
}
