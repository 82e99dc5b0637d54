import ArgumentParser
import DrillCore
import DrillReport
import DrillRun
import DrillStore
import Foundation

/// `drillctl report RUN`: the after-action report of a run, from its journal and its scenario copy.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the after-action report of a run: HTML, Markdown, JSON or CSV.",
        discussion: """
            RUN is a run id (a folder under --run-dir) or a run folder. The report is computed from the run's journal \
            and the copy of its scenario in the run folder, merged with RUNDIR/improvement-plan.yaml when that \
            file exists. It is written to RUNDIR/report.<format> unless -o names another file; `-o -` writes it \
            to standard output. `--format all` writes all four files into the run folder. A run still going gets \
            a provisional report; an aborted run's report says so. The report of a finished run is the same, \
            byte for byte, every time.

            Exit status: 0 the report was written; 1 the run or its scenario or improvement plan could not be \
            read; 2 a usage error.
            """
    )

    /// `--format`: one report format, or all of them.
    enum FormatChoice: String, ExpressibleByArgument, CaseIterable {
        case html, md, json, csv, all
    }

    @Argument(help: "The run id or the run folder.", completion: .directory)
    var run: String

    @Option(help: "The report format: html, md, json, csv, or all (every format into the run folder).")
    var format: FormatChoice = .html

    @Option(help: "The language of the report's labels: zh or en (scenario and team text is shown as written).")
    var lang: String = "zh"

    @Option(name: [.short, .customLong("output")], help: "Where to write the report; '-' for standard output.")
    var output: String?

    @Option(
        name: [.customLong("run-dir"), .customLong("runs")],
        help: "The folder holding run folders, when RUN is a run id (default: runs, in the current folder).",
        completion: .directory
    )
    var runs: String = "runs"

    func validate() throws {
        guard ReportLanguage(rawValue: lang) != nil else {
            throw ValidationError("'--lang \(lang)' is not a report language; use zh or en")
        }
        if format == .all, output != nil {
            throw ValidationError("'--format all' writes every format into the run folder; leave out -o")
        }
    }

    func run() async throws {
        let directory = RunFolder.resolve(run, base: URL(fileURLWithPath: runs, isDirectory: true))
        let language = ReportLanguage(rawValue: lang) ?? .zh
        let evaluation: RunEvaluation
        switch ReportInputs.evaluate(directory) {
        case .success(let value): evaluation = value
        case .failure(let error):
            printToStandardError("error: \(error)")
            throw ExitCode(DrillExit.failure)
        }
        let formats: [ReportFormat] =
            format == .all ? ReportFormat.allCases : [ReportFormat(rawValue: format.rawValue) ?? .html]
        for reportFormat in formats {
            let text = ReportRenderer.render(evaluation, format: reportFormat, language: language)
            if output == "-" {
                FileHandle.standardOutput.write(Data(text.utf8))
                continue
            }
            let path = output ?? directory.reportPath(extension: reportFormat.fileExtension)
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                printToStandardError("error: cannot write the report to '\(path)': \(error.localizedDescription)")
                throw ExitCode(DrillExit.failure)
            }
            print(path)
        }
    }
}
