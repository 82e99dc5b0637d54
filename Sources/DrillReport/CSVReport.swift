import DrillCore
import Foundation

/// One row per inject × team, RFC 4180: fields with a comma, quote, CR or LF are quoted, quotes doubled, lines
/// end in CRLF. Starts with a UTF-8 byte-order mark so Excel reads Chinese text correctly. Text fields that
/// start with `=`, `+`, `-`, `@`, tab or CR get a leading `'` so a spreadsheet never runs them as formulas.
struct CSVReport {
    let evaluation: RunEvaluation
    let language: ReportLanguage
    let format: ReportFormatting
    let words: ReportVocabulary

    init(evaluation: RunEvaluation, language: ReportLanguage) {
        self.evaluation = evaluation
        self.language = language
        self.format = ReportFormatting(language: language, timeZone: evaluation.overview.timeZone)
        self.words = ReportVocabulary(language: language, evaluation: evaluation)
    }

    func render() -> String {
        var out = "\u{FEFF}"
        out.reserveCapacity(evaluation.results.count * 400)
        var header = [
            "inject", "inject_title", "severity", "team", "team_name", "province", "escalation_of",
            "delivered_exercise", "delivered_wall",
        ]
        for phase in ResponsePhase.allCases {
            let p = phase.rawValue
            header += [
                "\(p)_status", "\(p)_exercise", "\(p)_wall", "\(p)_elapsed_s", "\(p)_allowed_s", "\(p)_extension_s",
                "\(p)_late_by_s", "\(p)_points",
            ]
        }
        header += [
            "resolution", "hosts_confirmed", "hosts_checked", "timing_points", "timing_max", "rubric_points",
            "rubric_max", "total", "max", "score_percent", "panel_rating", "panel_rubric", "panel_flagged",
        ]
        append(header.map { ($0, false) }, to: &out)
        for row in evaluation.results {
            var fields: [(String, Bool)] = [
                (row.inject, true), (words.injectTitle(row.inject), true), (row.severity?.rawValue ?? "", false),
                (row.team, true), (words.teamName(row.team), true), (row.province, true),
                (row.escalationOf ?? "", true),
                (format.exercise(row.delivered.exerciseMillis), false), (format.wall(row.delivered.wallMillis), false),
            ]
            for phase in row.phases {
                fields += [
                    (phase.status.rawValue, false),
                    (phase.completed.map { format.exercise($0.exerciseMillis) } ?? "", false),
                    (phase.completed.map { format.wall($0.wallMillis) } ?? "", false),
                    (seconds(phase.elapsedMillis), false), (seconds(phase.allowedMillis), false),
                    (seconds(phase.extensionMillis == 0 ? nil : phase.extensionMillis), false),
                    (seconds(phase.lateByMillis), false), (format.fixed(phase.points, 2), false),
                ]
            }
            let score = row.score
            fields += [
                (row.resolution.method.rawValue, false), ("\(row.resolution.hostsConfirmed)", false),
                ("\(row.resolution.hostsChecked)", false), (format.fixed(score.timing, 2), false),
                (format.fixed(score.timingMax, 2), false), (format.fixed(score.rubric, 2), false),
                (format.fixed(score.rubricMax, 2), false), (format.fixed(score.total, 2), false),
                (format.fixed(score.max, 2), false), (score.percent.map { format.fixed($0 * 100, 1) } ?? "", false),
                (row.panel.map { words.panelRating($0) } ?? "", false),
                (row.panel?.rubricScore.map { format.fixed($0, 2) } ?? "", false),
                (row.panel.map { $0.flagged ? "yes" : "no" } ?? "", false),
            ]
            append(fields, to: &out)
        }
        return out
    }

    func seconds(_ millis: Int64?) -> String {
        guard let millis else { return "" }
        return millis % 1000 == 0 ? String(millis / 1000) : format.fixed(Double(millis) / 1000, 3)
    }

    /// Appends one record; `isText` fields are guarded against formula injection.
    func append(_ fields: [(String, Bool)], to out: inout String) {
        for (index, (value, isText)) in fields.enumerated() {
            if index > 0 { out += "," }
            var field = value
            if isText, let first = field.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) {
                field = "'" + field
            }
            if field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
                out += "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            } else {
                out += field
            }
        }
        out += "\r\n"
    }
}
