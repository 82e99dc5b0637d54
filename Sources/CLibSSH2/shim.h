#ifndef DRILLCTL_CLIBSSH2_SHIM_H
#define DRILLCTL_CLIBSSH2_SHIM_H

// libssh2 (Debian's libssh2-1-dev, 1.10.0) for Swift.
//
// libssh2.h spells many calls as function-like C macros (libssh2_session_init, libssh2_channel_exec,
// libssh2_channel_read, ...). Swift imports no function-like macro, so each one DrillSSH uses gets a
// `static inline` wrapper here, named `drill_<macro name>`. Nothing else lives in this module.

#include <libssh2.h>
#include <libssh2_sftp.h>
#include <string.h>

static inline LIBSSH2_SESSION *drill_libssh2_session_init(void *abstract) {
    return libssh2_session_init_ex(NULL, NULL, NULL, abstract);
}

static inline int drill_libssh2_session_disconnect(LIBSSH2_SESSION *session, const char *description) {
    return libssh2_session_disconnect_ex(session, SSH_DISCONNECT_BY_APPLICATION, description, "");
}

static inline int drill_libssh2_userauth_password(LIBSSH2_SESSION *session, const char *username,
                                                  const char *password) {
    return libssh2_userauth_password_ex(session, username, (unsigned int)strlen(username), password,
                                        (unsigned int)strlen(password), NULL);
}

static inline int drill_libssh2_userauth_publickey_fromfile(LIBSSH2_SESSION *session, const char *username,
                                                            const char *publickey, const char *privatekey,
                                                            const char *passphrase) {
    return libssh2_userauth_publickey_fromfile_ex(session, username, (unsigned int)strlen(username), publickey,
                                                  privatekey, passphrase);
}

static inline char *drill_libssh2_userauth_list(LIBSSH2_SESSION *session, const char *username) {
    return libssh2_userauth_list(session, username, (unsigned int)strlen(username));
}

static inline LIBSSH2_CHANNEL *drill_libssh2_channel_open_session(LIBSSH2_SESSION *session) {
    return libssh2_channel_open_ex(session, "session", sizeof("session") - 1, LIBSSH2_CHANNEL_WINDOW_DEFAULT,
                                   LIBSSH2_CHANNEL_PACKET_DEFAULT, NULL, 0);
}

static inline LIBSSH2_CHANNEL *drill_libssh2_channel_direct_tcpip(LIBSSH2_SESSION *session, const char *host,
                                                                  int port) {
    return libssh2_channel_direct_tcpip_ex(session, host, port, "127.0.0.1", 22);
}

static inline int drill_libssh2_channel_exec(LIBSSH2_CHANNEL *channel, const char *command) {
    return libssh2_channel_process_startup(channel, "exec", sizeof("exec") - 1, command,
                                           (unsigned int)strlen(command));
}

static inline ssize_t drill_libssh2_channel_read(LIBSSH2_CHANNEL *channel, char *buf, size_t buflen) {
    return libssh2_channel_read_ex(channel, 0, buf, buflen);
}

static inline ssize_t drill_libssh2_channel_read_stderr(LIBSSH2_CHANNEL *channel, char *buf, size_t buflen) {
    return libssh2_channel_read_ex(channel, SSH_EXTENDED_DATA_STDERR, buf, buflen);
}

static inline ssize_t drill_libssh2_channel_write(LIBSSH2_CHANNEL *channel, const char *buf, size_t buflen) {
    return libssh2_channel_write_ex(channel, 0, buf, buflen);
}

static inline LIBSSH2_SFTP_HANDLE *drill_libssh2_sftp_open(LIBSSH2_SFTP *sftp, const char *filename,
                                                           unsigned long flags, long mode) {
    return libssh2_sftp_open_ex(sftp, filename, (unsigned int)strlen(filename), flags, mode,
                                LIBSSH2_SFTP_OPENFILE);
}

static inline int drill_libssh2_sftp_fsetstat(LIBSSH2_SFTP_HANDLE *handle, LIBSSH2_SFTP_ATTRIBUTES *attrs) {
    return libssh2_sftp_fstat_ex(handle, attrs, 1);
}

static inline int drill_libssh2_sftp_rename(LIBSSH2_SFTP *sftp, const char *source, const char *destination) {
    return libssh2_sftp_rename_ex(sftp, source, (unsigned int)strlen(source), destination,
                                  (unsigned int)strlen(destination),
                                  LIBSSH2_SFTP_RENAME_OVERWRITE | LIBSSH2_SFTP_RENAME_ATOMIC |
                                      LIBSSH2_SFTP_RENAME_NATIVE);
}

static inline int drill_libssh2_sftp_unlink(LIBSSH2_SFTP *sftp, const char *filename) {
    return libssh2_sftp_unlink_ex(sftp, filename, (unsigned int)strlen(filename));
}

/// The SFTP attribute flag for permissions (a plain #define, repeated for clarity).
static const unsigned long drill_sftp_attr_permissions = LIBSSH2_SFTP_ATTR_PERMISSIONS;

#endif
