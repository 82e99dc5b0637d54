import CLibSSH2
import DrillCore
import Foundation
import Logging

extension SSHConnection {
    /// Writes `data` to `path` with `mode` over SFTP, atomically: a temporary file in the same folder, then rename.
    ///
    /// libssh2 1.10 speaks SFTP version 3, where OpenSSH's rename refuses to replace an existing file and the
    /// `posix-rename@openssh.com` extension is not reachable through libssh2's API. So when the plain SFTP rename is
    /// refused, the temporary file is moved over the old one with `mv -f` on an exec channel, which is `rename(2)`:
    /// readers see the old file or the new one, never a partial one.
    ///
    /// - Throws: ``SSHError`` `.sftpFailure`, `.connectionLost` (nothing written, retryable), `.outcomeUnknown`
    ///   (the connection broke after the file was being written), `.commandTimedOut`, `.cancelled`.
    func upload(
        _ data: [UInt8],
        to path: String,
        mode: Int32,
        timeout: Duration,
        context: JobContext?,
        logger: Logger
    ) throws(SSHError) {
        guard let session else {
            throw SSHError(code: .connectionLost, message: "session already closed", host: endpoint.label)
        }
        let label = endpoint.label
        let deadline = Deadline.after(timeout)
        var waiter = makeWaiter(deadline: deadline, context: context, phase: "upload")
        waiter.timeoutError = {
            SSHError(
                code: .commandTimedOut,
                message: "uploading \(path) to \(label) did not finish within \(timeout); the file was not replaced",
                host: label
            )
        }
        let sftp = try waiter.pointer("libssh2_sftp_init") { libssh2_sftp_init(session) }
        defer { _ = libssh2_sftp_shutdown(sftp) }
        let slash = path.lastIndex(of: "/")!
        let directory = String(path[..<slash])
        let name = String(path[path.index(after: slash)...])
        let temporary = "\(directory)/.\(name).drill-\(UInt64.random(in: 0...UInt64.max) & 0xFFFF_FFFF_FFFF)"

        func sftpError(_ what: String, _ error: SSHError) -> SSHError {
            if error.code != .channelFailure { return error }
            let status = libssh2_sftp_last_error(sftp)
            return SSHError(
                code: .sftpFailure,
                message:
                    "\(what) failed on \(label) (SFTP status \(status)\(status == 3 ? ": permission denied" : status == 2 ? ": no such file or folder" : "")); check that the folder exists and is writable by the login user",
                host: label,
                underlying: error.underlying
            )
        }

        var written = false
        do throws(SSHError) {
            let handle: OpaquePointer
            do throws(SSHError) {
                handle = try waiter.pointer("libssh2_sftp_open") {
                    drill_libssh2_sftp_open(
                        sftp,
                        temporary,
                        UInt(LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_EXCL | LIBSSH2_FXF_TRUNC),
                        Int(mode & 0o7777)
                    )
                }
            } catch { throw sftpError("creating \(temporary)", error) }
            written = true
            var offset = 0
            do throws(SSHError) {
                while offset < data.count {
                    let chunk = min(data.count - offset, 256 * 1024)
                    let start = offset
                    let count = try waiter.call("libssh2_sftp_write") {
                        data.withUnsafeBytes { raw in
                            let base = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
                            return Int32(truncatingIfNeeded: libssh2_sftp_write(handle, base + start, chunk))
                        }
                    }
                    offset += Int(count)
                }
                // The server applies its umask to the create mode: set the mode exactly.
                var attributes = LIBSSH2_SFTP_ATTRIBUTES()
                attributes.flags = UInt(drill_sftp_attr_permissions)
                attributes.permissions = UInt(mode & 0o7777)
                try waiter.call("libssh2_sftp_fsetstat") { drill_libssh2_sftp_fsetstat(handle, &attributes) }
                try waiter.call("libssh2_sftp_close_handle") { libssh2_sftp_close_handle(handle) }
            } catch {
                _ = libssh2_sftp_close_handle(handle)
                throw sftpError("writing \(temporary)", error)
            }
            do throws(SSHError) {
                try waiter.call("libssh2_sftp_rename") { drill_libssh2_sftp_rename(sftp, temporary, path) }
            } catch {
                if error.code != .channelFailure { throw error }
                logger.debug("SFTP rename refused (target exists?); using mv -f", metadata: ["host": "\(label)"])
                let move = RemoteCommand(
                    "mv -f -- \(RemoteCommandWrapper.shellQuote(temporary)) \(RemoteCommandWrapper.shellQuote(path))",
                    timeout: .seconds(max(1, deadline.millisecondsLeft(cap: Int32.max) / 1000)),
                    outputLimit: 4096
                )
                let result = try exec(move, context: context, logger: logger)
                guard result.exitStatus == 0 else {
                    throw SSHError(
                        code: .sftpFailure,
                        message:
                            "could not rename the uploaded file over \(path) on \(label): \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))",
                        host: label
                    )
                }
            }
        } catch {
            if written && !isBroken {
                _ = try? waiter.call("libssh2_sftp_unlink") { drill_libssh2_sftp_unlink(sftp, temporary) }
            }
            if error.code == .connectionLost && written {
                throw SSHError(
                    code: .outcomeUnknown,
                    message:
                        "the connection to \(label) broke during the upload of \(path); a temporary file \(temporary) may remain, the target file is either old or new",
                    host: label,
                    underlying: error.underlying
                )
            }
            throw error
        }
    }
}
