public import DrillCore
import DrillStore
import Foundation

/// What the after-action report of a run is computed from, gathered from its folder: the journal, the scenario
/// copy, and the evaluators' improvement plan (`improvement-plan.yaml`) when there is one.
public enum ReportInputs {
    /// The run's evaluation (see ``RunEvaluator``).
    ///
    /// - Parameter keepEventLog: false to leave the event log out (saves memory when it is not rendered).
    public static func evaluate(_ folder: RunFolder, keepEventLog: Bool = true) -> Result<RunEvaluation, RunFolderError>
    {
        let events: [JournalEvent]
        do {
            let journal = try Journal.openForReading(at: folder.journalPath)
            events = try journal.eventsNow()
        } catch {
            return .failure(RunFolderError("cannot read the run '\(folder.url.path)': \(error)"))
        }
        let loaded: LoadedScenario
        do {
            loaded = try ScenarioLoader.load(path: folder.scenarioPath)
        } catch {
            return .failure(RunFolderError("cannot read the run's scenario copy:\n\(error)"))
        }
        if loaded.diagnostics.hasErrors {
            let renderer = DiagnosticRenderer(sources: [loaded.file: loaded.text])
            return .failure(
                RunFolderError("the run's scenario copy has errors:\n" + renderer.render(loaded.diagnostics))
            )
        }
        var plan: ImprovementPlanFile?
        let planPath = folder.improvementPlanPath
        if FileManager.default.fileExists(atPath: planPath) {
            guard let text = try? String(contentsOfFile: planPath, encoding: .utf8) else {
                return .failure(RunFolderError("cannot read '\(planPath)' as UTF-8 text"))
            }
            do {
                plan = try ImprovementPlanFile.load(text: text, file: planPath)
            } catch {
                let renderer = DiagnosticRenderer(sources: [planPath: text])
                return .failure(
                    RunFolderError("the improvement plan has errors:\n" + renderer.render(error.diagnostics))
                )
            }
        }
        return .success(
            RunEvaluator.evaluate(
                events: events,
                scenario: loaded.scenario,
                improvementPlan: plan,
                keepEventLog: keepEventLog
            )
        )
    }
}
