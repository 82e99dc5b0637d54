import Foundation
import Synchronization

/// A bounded pool of dedicated threads for libssh2 work.
///
/// libssh2 calls and `poll()` waits never run on Swift's cooperative pool (2 threads on these machines): a job
/// is handed to one of these threads and the calling task is suspended on a continuation that the job resumes
/// exactly once. Threads are started on demand up to `maxThreads` and kept for reuse.
final class WorkerPool: Sendable {
    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var head = 0
        var threads = 0
        var idle = 0
    }

    private let maxThreads: Int
    /// Seconds an idle worker thread waits for work before it exits.
    static let idleThreadLifetime: TimeInterval = 10
    private let state: Mutex<State> = Mutex(State())
    /// Wakes idle threads; its own lock only guards the wait, the queue is in `state`.
    private let condition = NSCondition()

    init(maxThreads: Int) {
        self.maxThreads = max(1, maxThreads)
    }

    /// Queues `job` on a worker thread.
    func submit(_ job: @escaping @Sendable () -> Void) {
        let startThread: Bool = state.withLock { state in
            state.jobs.append(job)
            if state.idle == 0 && state.threads < maxThreads {
                state.threads += 1
                return true
            }
            return false
        }
        if startThread {
            let thread = Thread { [self] in self.workLoop() }
            thread.name = "drill-ssh-worker"
            thread.stackSize = 1 << 20
            thread.start()
        } else {
            condition.lock()
            condition.signal()
            condition.unlock()
        }
    }

    /// Runs `body` on a worker thread and returns its result to the suspended caller.
    ///
    /// If the calling task is cancelled, `context.isCancelled` becomes true; the job's wait loops check it and
    /// throw ``SSHError/Code/cancelled``.
    func run<T: Sendable>(
        _ body: @escaping @Sendable (JobContext) throws(SSHError) -> T
    ) async throws(SSHError) -> T {
        let context = JobContext()
        let result: Result<T, SSHError> = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, SSHError>, Never>) in
                submit {
                    let result: Result<T, SSHError>
                    do throws(SSHError) {
                        result = .success(try body(context))
                    } catch {
                        result = .failure(error)
                    }
                    continuation.resume(returning: result)
                }
            }
        } onCancel: {
            context.cancel()
        }
        return try result.get()
    }

    private func workLoop() {
        while true {
            let job: (@Sendable () -> Void)? = state.withLock { state in
                guard state.head < state.jobs.count else { return nil }
                let job = state.jobs[state.head]
                state.head += 1
                if state.head > 64 && state.head * 2 > state.jobs.count {
                    state.jobs.removeFirst(state.head)
                    state.head = 0
                }
                return job
            }
            if let job {
                job()
                continue
            }
            condition.lock()
            let hasWork = state.withLock { state in
                if state.head < state.jobs.count { return true }
                state.idle += 1
                return false
            }
            var retire = false
            if !hasWork {
                // An idle thread leaves after a while, so a quiet transport holds no threads.
                let signalled = condition.wait(until: Date(timeIntervalSinceNow: Self.idleThreadLifetime))
                retire = state.withLock { state in
                    state.idle -= 1
                    if !signalled && state.head >= state.jobs.count {
                        state.threads -= 1
                        return true
                    }
                    return false
                }
            }
            condition.unlock()
            if retire { return }
        }
    }
}

/// Shared between a suspended task and the worker thread running its job: carries cancellation.
final class JobContext: Sendable {
    private let cancelled = Atomic<Bool>(false)

    func cancel() { cancelled.store(true, ordering: .relaxed) }

    var isCancelled: Bool { cancelled.load(ordering: .relaxed) }
}
