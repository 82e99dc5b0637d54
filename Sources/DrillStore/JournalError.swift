/// An error from a run's journal: what failed, on which file, and how to fix it.
public struct JournalError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure. A struct around a private enum so that new kinds do not break callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Value: Hashable, Sendable {
            case notFound, notAJournal, schemaTooNew, duplicateIdempotencyKey, wrongRun, corruptEvent, storage
        }
        fileprivate var value: Value

        /// The journal file does not exist.
        public static let notFound = Code(value: .notFound)
        /// The file exists but is not a drillctl journal (or has no run row).
        public static let notAJournal = Code(value: .notAJournal)
        /// The journal was written by a newer drillctl with migrations this one does not know.
        public static let schemaTooNew = Code(value: .schemaTooNew)
        /// An event with the same idempotency key is already in the journal.
        public static let duplicateIdempotencyKey = Code(value: .duplicateIdempotencyKey)
        /// The event names another run than the journal's.
        public static let wrongRun = Code(value: .wrongRun)
        /// A stored event could not be read back.
        public static let corruptEvent = Code(value: .corruptEvent)
        /// SQLite reported an error (disk full, I/O error, locked, …); see the cause.
        public static let storage = Code(value: .storage)

        public var description: String { "\(value)" }
    }

    public var code: Code
    /// What went wrong, where, and what to do.
    public var message: String
    /// The underlying error, if any (usually a GRDB `DatabaseError`).
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        guard let cause else { return message }
        return "\(message) (\(cause))"
    }
}
