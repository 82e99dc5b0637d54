public import DrillCore
import Logging
public import ServiceLifecycle
import Synchronization

/// Tails a run's journal and keeps the portal's view of it current.
///
/// The journal is the mailbox between processes: the engine, `drillctl respond` and `drillctl ctl` append to
/// it from other processes, so the feed polls for events after the last sequence it has seen (every
/// ``interval``), folds them into the run's ``RunLedger`` (the same fold every reader uses) and fans each one out
/// to the live-update subscribers whose role may see it. It also reads the engine's heartbeat. Run it as a
/// `Service` (it stops on graceful shutdown).
public final class PortalFeed: Service, Sendable {
    private struct State {
        var portal: PortalSnapshot
        var subscribers: [Int: Subscriber] = [:]
        var nextSubscriber = 0
    }

    private struct Subscriber {
        var identity: PortalIdentity
        var continuation: AsyncStream<JournalEvent>.Continuation
    }

    private let reader: any JournalReader
    /// How often the journal is polled.
    public let interval: Duration
    private let logger: Logger
    private let state: Mutex<State>
    /// Serialises catch-ups, so events are applied once and in order.
    private let catchUpLock = AsyncMutex()

    /// A feed of `reader`'s journal; `scenario` fills in what older journals do not say (see ``RunLedger``).
    public init(
        reader: any JournalReader,
        scenario: Scenario? = nil,
        interval: Duration = .milliseconds(50),
        logger: Logger
    ) {
        self.reader = reader
        self.interval = interval
        self.logger = logger
        state = Mutex(State(portal: PortalSnapshot(ledger: RunLedger(scenario: scenario))))
    }

    /// The current view.
    public var snapshot: PortalSnapshot { state.withLock { $0.portal } }

    /// Reads the events appended since the last catch-up, applies them and fans them out. Returns how many
    /// there were.
    @discardableResult
    public func catchUp() async throws -> Int {
        try await catchUpLock.withLock {
            let last = state.withLock { $0.portal.ledger.lastSequence }
            var total = 0
            var after = last
            while true {
                let events = try await reader.events(after: after, limit: 2000)
                if events.isEmpty { break }
                total += events.count
                after = events.last?.sequence ?? after
                // Fold under the lock, yield outside it: a stream whose consumer went away runs its
                // `onTermination` (which takes this lock) from inside `yield`, and the lock is not recursive.
                let (subscribers, ledger) = state.withLock { state in
                    for event in events { state.portal.ledger.apply(event) }
                    return (Array(state.subscribers.values), state.portal.ledger)
                }
                for event in events {
                    for subscriber in subscribers
                    where PortalVisibility.canSee(subscriber.identity, event, ledger: ledger) {
                        subscriber.continuation.yield(event)
                    }
                }
                if events.count < 2000 { break }
            }
            if let heartbeats = reader as? any HeartbeatReader, let beat = try? heartbeats.lastHeartbeat() {
                state.withLock { $0.portal.heartbeat = beat }
            }
            return total
        }
    }

    /// A stream of the events `identity` may see, from now on. The stream ends when the feed stops or the
    /// consumer goes away.
    public func subscribe(_ identity: PortalIdentity) -> AsyncStream<JournalEvent> {
        let (stream, continuation) = AsyncStream<JournalEvent>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        let id = state.withLock { state in
            let id = state.nextSubscriber
            state.nextSubscriber += 1
            state.subscribers[id] = Subscriber(identity: identity, continuation: continuation)
            return id
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// How many live-update subscribers are connected.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    public func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                do {
                    try await catchUp()
                } catch {
                    logger.warning("cannot read the journal", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        } onGracefulShutdown: {
        }
        let subscribers = state.withLock { state in
            let all = state.subscribers.values.map(\.continuation)
            state.subscribers = [:]
            return all
        }
        for continuation in subscribers { continuation.finish() }
    }
}

/// Who may see which journal event on the live stream.
public enum PortalVisibility {
    /// Event kinds a team sees, and then only when the event is about that team.
    static let teamKinds: Set<JournalEvent.Kind> = [
        .delivered, .response, .deadlineMet, .deadlineMissed, .phaseVerdict,
    ]
    /// Kinds everyone signed in sees, reduced to their kind (the clock started, paused, stopped).
    static let clockKinds: Set<JournalEvent.Kind> = [.startex, .endex]

    /// True when `identity` may see `event`. `ledger` is the run as folded so far: a team sees an extension for
    /// every team only when the inject was delivered to it (the event names the inject).
    public static func canSee(_ identity: PortalIdentity, _ event: JournalEvent, ledger: RunLedger) -> Bool {
        switch identity.role {
        case .director:
            return true
        case .evaluator:
            // Evaluators score independently: another evaluator's observation is not pushed.
            if event.kind == .observation { return event.actor?.id == identity.subject }
            return true
        case .team:
            if clockKinds.contains(event.kind) { return true }
            if case .control(let control) = RunEvent(event).body {
                switch control.action {
                case .pause, .resume, .abort: return true
                case .extend:
                    if let team = event.team { return team == identity.subject }
                    guard let inject = event.inject else { return false }
                    return ledger.pair(inject, identity.subject)?.delivery != nil
                case .trigger, .skip: return false
                }
            }
            return teamKinds.contains(event.kind) && event.team == identity.subject
        }
    }
}

/// A lock for async code that must not interleave (one catch-up at a time).
final class AsyncMutex: Sendable {
    private let state = Mutex<(locked: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func withLock<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await lock()
        defer { unlock() }
        return try await body()
    }

    private func lock() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquired = state.withLock { state -> Bool in
                if !state.locked {
                    state.locked = true
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if acquired { continuation.resume() }
        }
    }

    private func unlock() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.locked = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
