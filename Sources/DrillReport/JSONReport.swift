import DrillCore
import Foundation

/// The evaluation as JSON: every figure, keys sorted, times in milliseconds (exercise time since STARTEX and
/// UTC wall time), so other tools can compute their own views. The event log is left out (the journal is it).
enum JSONReport {
    static func render(_ evaluation: RunEvaluation) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity",
            negativeInfinity: "-Infinity",
            nan: "NaN"
        )
        let document = Document(format: "drillctl-report", version: 1, evaluation: evaluation)
        // Encoding plain values cannot fail; an empty object is the fallback.
        guard let data = try? encoder.encode(document) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    struct Document: Encodable {
        var format: String
        var version: Int
        var evaluation: RunEvaluation
    }
}
