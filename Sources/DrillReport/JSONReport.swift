import DrillCore
import Foundation

/// The evaluation as JSON: every figure, members in the model's order, times in milliseconds (exercise time
/// since STARTEX and UTC wall time), so other tools can compute their own views. The event log is left out (the
/// journal is it). Written in one pass by ``JSONStreamEncoder`` (no intermediate tree).
enum JSONReport {
    static func render(_ evaluation: RunEvaluation) -> String {
        let document = Document(format: "drillctl-report", version: 1, evaluation: evaluation)
        // Encoding plain values cannot fail; an empty object is the fallback.
        return (try? JSONStreamEncoder().encode(document)) ?? "{}\n"
    }

    struct Document: Encodable {
        var format: String
        var version: Int
        var evaluation: RunEvaluation
    }
}
