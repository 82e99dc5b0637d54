import DrillCore
import Testing

@Suite("Durations as authors write them")
struct DurationTextTests {
    @Test(
        "valid forms",
        arguments: [
            ("90s", 90), ("15m", 900), ("1h30m", 5400), ("2h", 7200), ("1d", 86_400), ("1h0m5s", 3605),
            ("00:15:00", 900), ("15:00", 900), ("1:30:00", 5400), ("01:02:03", 3723), ("0", 0), ("600", 600),
            ("100:00:00", 360_000), (" 5m ", 300),
        ] as [(String, Int64)]
    )
    func valid(text: String, seconds: Int64) {
        #expect(DurationText.parse(text) == .seconds(seconds))
    }

    @Test(
        "invalid forms",
        arguments: ["", "15 min", "1h70", "m", "5x", "-5m", "1.5h", "25:61", "1:2:3:4", "1:5", "30m1h", "1h1h", ":15"]
    )
    func invalid(text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test("formatting: compact durations and T+ exercise times")
    func formatting() {
        #expect(DurationText.format(.seconds(90)) == "1m30s")
        #expect(DurationText.format(.seconds(5400)) == "1h30m")
        #expect(DurationText.format(.zero) == "0s")
        #expect(DurationText.exerciseTime(.seconds(3723)) == "T+01:02:03")
        #expect(DurationText.exerciseTime(.seconds(360_000)) == "T+100:00:00")
    }
}
