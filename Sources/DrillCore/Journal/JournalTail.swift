/// The events of a journal as they are appended, from any process: polls ``JournalReader/events(after:limit:)``
/// and sleeps on an injected clock when there is nothing new. For the portal's live stream, `ctl status --follow`
/// and tests.
///
/// Polling, not change notification, because the writer is usually another process (the engine), and SQLite's
/// change hooks only see writes made through the same connection pool. Reading after a sequence is an index
/// range scan, so an idle poll costs one small query.
///
/// ```swift
/// for try await event in JournalTail(reader: journal, after: lastSeen, every: .milliseconds(100), clock: ContinuousClock()) {
///     state.apply(event)
/// }
/// ```
///
/// Iteration ends when the surrounding task is cancelled (the iterator returns `nil`).
public struct JournalTail<C: Clock>: AsyncSequence, Sendable where C.Duration == Duration {
    public typealias Element = JournalEvent

    private let reader: any JournalReader
    private let after: Int64
    private let interval: Duration
    private let clock: C
    private let pageSize: Int

    /// Events after sequence `after`, polling every `interval` of `clock` when caught up.
    public init(reader: any JournalReader, after: Int64 = 0, every interval: Duration, clock: C, pageSize: Int = 1000) {
        self.reader = reader
        self.after = after
        self.interval = interval
        self.clock = clock
        self.pageSize = Swift.max(1, pageSize)
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(reader: reader, after: after, interval: interval, clock: clock, pageSize: pageSize)
    }

    /// Reads a page at a time and hands events out one by one.
    public struct Iterator: AsyncIteratorProtocol {
        let reader: any JournalReader
        var after: Int64
        let interval: Duration
        let clock: C
        let pageSize: Int
        var buffer: [JournalEvent] = []
        var index = 0

        public mutating func next() async throws -> JournalEvent? {
            while index == buffer.count {
                if Task.isCancelled { return nil }
                let page = try await reader.events(after: after, limit: pageSize)
                if let last = page.last?.sequence {
                    buffer = page
                    index = 0
                    after = last
                } else {
                    do {
                        try await clock.sleep(for: interval)
                    } catch is CancellationError {
                        return nil
                    }
                }
            }
            defer { index += 1 }
            return buffer[index]
        }
    }
}
