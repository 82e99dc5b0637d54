import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What Debian's sshd needs from the system before it is invoked at all, `sshd -t` included: its
/// privilege-separation user (`sshd`, made by openssh-server's install script) and, when it runs as root, its
/// privilege-separation folder `/run/sshd`, which the system service makes at boot and a fresh machine (or a
/// container, or a machine where the service never ran) does not have.
///
/// The lab calls ``prepare()`` before its first sshd command; tests that run an sshd of their own call it too.
public enum SSHDPrerequisites {
    /// The privilege-separation folder of Debian's OpenSSH (`_PATH_PRIVSEP_CHROOT_DIR`).
    public static let privilegeSeparationFolder = "/run/sshd"
    /// The privilege-separation user (`SSH_PRIVSEP_USER`).
    public static let privilegeSeparationUser = "sshd"

    /// Creates `folder` (`/run/sshd`; root-owned, 0755, as the system service makes it) when running as root and
    /// it is missing, and checks that the `sshd` user exists. Leaves an existing folder as it is.
    ///
    /// - Parameter folder: the privilege-separation folder; another path only for tests of this order of work.
    /// - Throws: ``LabError`` (`sshdMissing`) when the `sshd` user is missing, or (`startFailed`) when the
    ///   folder cannot be created or is not a folder.
    public static func prepare(folder: String = privilegeSeparationFolder) throws {
        guard geteuid() == 0 else { return }  // sshd run by another user needs neither
        guard getpwnam(privilegeSeparationUser) != nil else {
            throw LabError(
                .sshdMissing,
                "sshd's privilege-separation user '\(privilegeSeparationUser)' does not exist: openssh-server is not fully installed; run `apt-get install --reinstall openssh-server`"
            )
        }
        let path = folder
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw LabError(
                    .startFailed,
                    "\(path) exists but is not a folder; sshd needs it as its privilege-separation folder: remove it"
                )
            }
            return
        }
        // mkdir, not createDirectory(withIntermediateDirectories:): /run exists on every Linux machine, and two
        // labs starting at once must both succeed (EEXIST is fine).
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw LabError(
                .startFailed,
                "cannot create \(path), which sshd needs as its privilege-separation folder: \(String(cString: strerror(errno)))"
            )
        }
        _ = chmod(path, 0o755)  // whatever the umask
    }
}
