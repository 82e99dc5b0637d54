public import DrillCore
public import DrillStore
public import Foundation

/// A run with everything needed to drive it or read it: its folder, journal, scenario copy (upload sources
/// inlined from the folder's copies), inventory, plan and settings. `run` creates one
/// (``create(loaded:inventory:under:speed:startex:settings:evaluators:now:)``); `resume`, `respond`, `ctl` and the
/// portal open one (``open(_:inventoryOverride:readOnly:)``).
public struct OpenedRun: Sendable {
    public var folder: RunFolder
    public var journal: Journal
    public var loaded: LoadedScenario
    public var inventory: Inventory
    public var plan: Plan
    public var settings: RunSettings

    public init(
        folder: RunFolder,
        journal: Journal,
        loaded: LoadedScenario,
        inventory: Inventory,
        plan: Plan,
        settings: RunSettings
    ) {
        self.folder = folder
        self.journal = journal
        self.loaded = loaded
        self.inventory = inventory
        self.plan = plan
        self.settings = settings
    }

    /// The scenario the run was created from.
    public var scenario: Scenario { loaded.scenario }

    /// The speed the run was created with.
    public var speed: Double {
        let events = (try? journal.eventsNow(after: 0, limit: 2)) ?? []
        let created = events.lazy.compactMap { event -> Double? in
            if case .runCreated(let payload) = RunEvent(event).body { return payload.speed }
            return nil
        }.first
        return created.flatMap { RunClock.speedRange.contains($0) ? $0 : nil } ?? 1
    }

    /// Opens an existing run from its folder: the scenario copy, the inventory copy (or `inventoryOverride`), the
    /// settings and the journal.
    ///
    /// - Throws: ``RunFolderError`` naming the file that cannot be read, and what to do.
    public static func open(
        _ folder: RunFolder,
        inventoryOverride: String? = nil,
        readOnly: Bool = false
    ) throws
        -> OpenedRun
    {
        let journal: Journal
        do {
            journal =
                try readOnly ? Journal.openForReading(at: folder.journalPath) : Journal.open(at: folder.journalPath)
        } catch {
            throw RunFolderError("cannot open the run's journal: \(error)")
        }
        var loaded: LoadedScenario
        do {
            loaded = try ScenarioLoader.load(path: folder.scenarioPath)
        } catch {
            throw RunFolderError("cannot read the run's scenario copy \(folder.scenarioPath): \(error)")
        }
        UploadSourceCopies.inline(&loaded, from: folder)
        if loaded.diagnostics.hasErrors {
            let renderer = DiagnosticRenderer(sources: [loaded.file: loaded.text])
            throw RunFolderError("the run's scenario copy has errors:\n" + renderer.render(loaded.diagnostics))
        }
        let inventoryPath = inventoryOverride ?? folder.engineInventoryPath
        let inventory: Inventory
        do {
            inventory = try InventoryLoader.load(path: inventoryPath)
        } catch {
            throw RunFolderError("cannot read the inventory \(inventoryPath): \(error); give it with -i")
        }
        let startex = try journal.eventNow(withIdempotencyKey: EventKey.startex.description).map {
            Date(timeIntervalSince1970: Double($0.wallMillis) / 1000)
        }
        let plan = Planner.plan(loaded.scenario, inventory: inventory, startex: startex)
        return OpenedRun(
            folder: folder,
            journal: journal,
            loaded: loaded,
            inventory: inventory,
            plan: plan,
            settings: RunSettings.read(from: folder)
        )
    }

    /// Creates a new run under `base`: the folder, the scenario copy, the upload sources, the inventory copies, the
    /// settings, the journal and the access codes. Returns the run and the access-code text to print once.
    /// `durability` is the journal's (``Journal/Durability/full`` for real runs; tests and benchmarks may choose
    /// `normal`, which survives a crash of the process but not of the machine).
    ///
    /// - Throws: ``RunFolderError`` or a journal error when a part cannot be written.
    public static func create(
        loaded: LoadedScenario,
        inventory: Inventory,
        under base: URL,
        speed: Double,
        startex: Date?,
        settings: RunSettings,
        evaluators: [String] = RunAccessCodes.evaluators(count: 2),
        now: Date = Date(),
        durability: Journal.Durability = .full
    ) throws -> (run: OpenedRun, accessCodes: String) {
        let scenario = loaded.scenario
        let folder = try RunFolder.create(under: base, scenario: scenario.id, date: now)
        try folder.writeScenarioCopy(loaded.text)
        try UploadSourceCopies.save(loaded, into: folder)
        try folder.writeInventoryCopy(InventoryListing.listJSON(inventory))
        try folder.write(RunInventoryCopy.yaml(inventory), to: folder.engineInventoryPath, mode: 0o644)
        try settings.write(to: folder)
        let wallMillis = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        let journal = try Journal.create(
            at: folder.journalPath,
            runID: folder.runID,
            created: RunCreatedPayload(
                scenario: scenario.id,
                title: scenario.title,
                durationMillis: scenario.duration.journalMillis,
                speed: speed,
                timezone: scenario.timeZone
            ),
            wallMillis: wallMillis,
            durability: durability
        )
        let codes = try RunAccessCodes.create(
            for: scenario,
            evaluators: evaluators,
            journal: journal,
            folder: folder,
            wallMillis: wallMillis
        )
        let run = OpenedRun(
            folder: folder,
            journal: journal,
            loaded: loaded,
            inventory: inventory,
            plan: Planner.plan(scenario, inventory: inventory, startex: startex ?? now),
            settings: settings
        )
        return (run, codes)
    }
}
