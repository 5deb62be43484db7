// write_file_atomic: temporary file + fsync + rename (see sim/write.hpp).
#include "sim/write.hpp"
#include "sim/diagnostic.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <mutex>
#include <cstring>
#include <filesystem>
#include <optional>
#include <ostream>
#include <streambuf>
#include <string>
#include <system_error>
#include <vector>

namespace sim {

namespace detail {
namespace {
std::mutex set_dirs_mutex;
std::vector<std::string> set_dirs;  // the temporary directories of output sets being built
}  // namespace
void enter_output_set(const std::string& tmp) {
    std::lock_guard<std::mutex> lock(set_dirs_mutex);
    set_dirs.push_back(tmp);
}
void leave_output_set(const std::string& tmp) {
    std::lock_guard<std::mutex> lock(set_dirs_mutex);
    if (auto it = std::find(set_dirs.begin(), set_dirs.end(), tmp); it != set_dirs.end()) set_dirs.erase(it);
}
bool in_output_set(const std::string& dir) {
    std::lock_guard<std::mutex> lock(set_dirs_mutex);
    for (const auto& d : set_dirs)
        if (dir == d || (dir.size() > d.size() && dir.compare(0, d.size(), d) == 0 && dir[d.size()] == '/'))
            return true;
    return false;
}
}  // namespace detail

namespace {

// A minimal output streambuf over a file descriptor. It never throws; the
// first write error is kept in `err` (an errno value) and every later write
// fails, so the caller checks `err` once at the end.
class FdBuf : public std::streambuf {
public:
    explicit FdBuf(int fd) : fd_(fd), buf_(1 << 16) { setp(buf_.data(), buf_.data() + buf_.size()); }

    int err = 0;

    // Writes what is buffered; false (with `err` set) on failure.
    bool drain() {
        const char* p = pbase();
        std::size_t n = static_cast<std::size_t>(pptr() - pbase());
        while (n > 0 && err == 0) {
            ssize_t w = ::write(fd_, p, n);
            if (w < 0) {
                if (errno == EINTR) continue;
                err = errno;
                break;
            }
            p += w;
            n -= static_cast<std::size_t>(w);
        }
        setp(buf_.data(), buf_.data() + buf_.size());
        return err == 0;
    }

protected:
    int_type overflow(int_type ch) override {
        if (!drain()) return traits_type::eof();
        if (!traits_type::eq_int_type(ch, traits_type::eof())) {
            *pptr() = traits_type::to_char_type(ch);
            pbump(1);
        }
        return traits_type::not_eof(ch);
    }
    int sync() override { return drain() ? 0 : -1; }

private:
    int fd_;
    std::vector<char> buf_;
};

// sim::Error (E-IO) whose message is "WHAT: <errno text>", with the errno kept.
[[noreturn]] void fail(int e, const std::string& what) {
    const std::error_code ec(e, std::generic_category());
    throw Error(sim::Code::E_IO, "", what + ": " + ec.message(), ec);
}

std::string dir_of(const std::string& path) {
    auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

// Removes the temporary unless released; closes the descriptor if still open.
struct TempGuard {
    std::string name;
    int fd = -1;
    bool keep = false;
    ~TempGuard() {
        if (fd >= 0) ::close(fd);
        if (!keep) ::unlink(name.c_str());
    }
};

// A device, FIFO or socket (e.g. /dev/stdout) cannot be replaced by a
// rename, only written: whole-or-nothing cannot hold there, and replacing the
// node itself would be far worse.
void write_through(const std::string& path, const std::function<void(std::ostream&)>& writer) {
    const std::string what = "cannot write '" + path + "'";
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) fail(errno, what);
    TempGuard guard;  // closes fd; never unlinks (keep)
    guard.fd = fd;
    guard.keep = true;
    FdBuf buf(fd);
    std::ostream os(&buf);
    writer(os);
    os.flush();
    if (buf.err != 0) fail(buf.err, what);
    if (!os) fail(EIO, what + ": the output stream failed");
}

// The path a write to `path` finally names: symbolic links followed one by
// one (relative targets against the link's directory), at most 40 of them.
// The result need not exist (a dangling link names where to create it).
std::string resolve_links(const std::string& path_arg) {
    std::string path = path_arg;
    for (int hops = 0;; ++hops) {
        struct stat lst {};
        if (::lstat(path.c_str(), &lst) != 0 || !S_ISLNK(lst.st_mode)) return path;
        if (hops == 40) fail(ELOOP, "cannot write '" + path_arg + "'");
        std::vector<char> buf(static_cast<std::size_t>(lst.st_size > 0 ? lst.st_size : 255) + 1);
        ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
        if (n < 0) fail(errno, "cannot write '" + path_arg + "'");
        std::string target(buf.data(), static_cast<std::size_t>(n));
        if (target.empty()) fail(ENOENT, "cannot write '" + path_arg + "'");
        path = target[0] == '/' ? target : dir_of(path) + "/" + target;
    }
}

[[noreturn]] void refuse(int e, const std::string& message) {
    const std::error_code ec(e, std::generic_category());
    throw Error(sim::Code::E_OUTPUT, "", message, ec);
}

// An existing regular file that this process may not write, or that has no
// write permission bit at all (root may write anything: the bits are the
// owner's stated intent), is read-only.
bool read_only(const std::string& path, const struct stat& st) {
    if ((st.st_mode & 0222) == 0) return true;
    return ::faccessat(AT_FDCWD, path.c_str(), W_OK, AT_EACCESS) != 0 && errno == EACCES;
}

void refuse_read_only(const std::string& shown, const std::string& path) {
    refuse(EACCES, "'" + shown + "'" + (shown == path ? std::string() : " (the file '" + path + "')") +
                       " is read-only; make it writable (chmod u+w) or write elsewhere; it was not replaced");
}

// One file on its way: a complete, synced temporary that `commit` renames
// over `path`.
struct Pending {
    std::string shown;  // the path as the caller gave it (for messages)
    std::string path;   // after following symbolic links
    TempGuard tmp;
    bool through = false;  // a device or FIFO: written in place, nothing to rename
};

// Writes the temporary of `p` through `writer`, synced and named.
void prepare(Pending& p, const std::function<void(std::ostream&)>& writer) {
    const std::string& path_arg = p.shown;
    if (path_arg.empty()) fail(ENOENT, "cannot write '': empty path");
    if (path_arg.back() == '/') fail(EISDIR, "cannot write '" + path_arg + "'");
    p.path = resolve_links(path_arg);
    const std::string& path = p.path;

    // An existing file keeps its permissions (fchmod below); a new file gets
    // what open() gives with 0666 and the process umask.
    std::optional<mode_t> keep_mode;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode)) fail(EISDIR, "cannot write '" + path_arg + "'");
        if (!S_ISREG(st.st_mode)) {
            p.through = true;
            write_through(path_arg, writer);
            return;
        }
        if (read_only(path, st)) refuse_read_only(path_arg, path);
        keep_mode = st.st_mode & 07777;
    }

    // The temporary sits next to `path` so that rename() stays on one file
    // system. Where the file system supports it, it is an unnamed O_TMPFILE
    // file, given a name only once complete: a run killed while writing
    // (SIGKILL cannot be caught) then leaves nothing behind. Elsewhere it is a
    // named file; O_EXCL plus a per-process counter makes the name ours alone.
    static std::atomic<unsigned> counter{0};
    auto next_name = [&] {
        return path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
    };
    TempGuard& tmp = p.tmp;
    bool unnamed = false;
#ifdef O_TMPFILE
    tmp.fd = ::open(dir_of(path).c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    unnamed = tmp.fd >= 0;
    tmp.keep = unnamed;  // nothing named to remove yet
#endif
    for (int attempt = 0; attempt < 100 && tmp.fd < 0; ++attempt) {
        tmp.name = next_name();
        tmp.fd = ::open(tmp.name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (tmp.fd < 0 && errno != EEXIST) break;
    }
    if (tmp.fd < 0) {
        int e = errno;
        tmp.keep = true;  // nothing of ours was created
        fail(e, "cannot create a temporary file in '" + dir_of(path) + "' for '" + path_arg + "'");
    }

    const std::string what = "cannot write '" + path_arg + "'";
    {
        FdBuf buf(tmp.fd);
        std::ostream os(&buf);
        writer(os);  // may throw: the guard removes the temporary
        os.flush();
        if (buf.err != 0) fail(buf.err, what);
        if (!os) fail(EIO, what + ": the output stream failed");
    }
    if (keep_mode && ::fchmod(tmp.fd, *keep_mode) != 0) fail(errno, what);
    if (::fsync(tmp.fd) != 0) fail(errno, what);
    if (unnamed) {
        // Name the complete file, then rename that name over `path` (linkat
        // cannot replace an existing file). /proc/self/fd needs no privilege.
        const std::string fd_path = "/proc/self/fd/" + std::to_string(tmp.fd);
        int rc = -1;
        for (int attempt = 0; attempt < 100; ++attempt) {
            tmp.name = next_name();
            rc = ::linkat(AT_FDCWD, fd_path.c_str(), AT_FDCWD, tmp.name.c_str(), AT_SYMLINK_FOLLOW);
            if (rc == 0 || errno != EEXIST) break;
        }
        if (rc != 0) fail(errno, what);
        tmp.keep = false;  // named now: remove it if anything below fails
    }
    int fd = tmp.fd;
    tmp.fd = -1;
    // close() can report a deferred write error (e.g. on NFS).
    if (::close(fd) != 0) fail(errno, what);
}

void sync_dir(const std::string& dir) {
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

void commit(Pending& p) {
    if (p.through) return;
    if (::rename(p.tmp.name.c_str(), p.path.c_str()) != 0) fail(errno, "cannot write '" + p.shown + "'");
    p.tmp.keep = true;  // it is `path` now
    // Make the rename itself durable; best effort, the data is already in
    // place. Inside an output set being built, its commit syncs every
    // directory of the set once, before the set is swapped in.
    const std::string dir = dir_of(p.path);
    if (!detail::in_output_set(dir)) sync_dir(dir);
}

}  // namespace

void write_file_atomic(const std::string& path, const std::function<void(std::ostream&)>& writer) {
    Pending p;
    p.shown = path;
    prepare(p, writer);
    commit(p);
}

void write_files_atomic(std::span<const FileOutput> files) {
    std::vector<Pending> pending(files.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
        pending[i].shown = files[i].path;
        prepare(pending[i], files[i].writer);
    }
    // Every temporary is complete: now the renames. Each old file is first
    // kept under a hard link, so that a failed rename can put back the ones
    // done before it.
    struct Backup {
        std::string path, saved;
    };
    std::vector<Backup> done;
    static std::atomic<unsigned> counter{0};
    auto restore = [&] {
        for (auto it = done.rbegin(); it != done.rend(); ++it) {
            if (!it->saved.empty()) ::rename(it->saved.c_str(), it->path.c_str());
            else ::unlink(it->path.c_str());
        }
    };
    try {
        for (auto& p : pending) {
            if (p.through) continue;
            Backup b{p.path, {}};
            struct stat st {};
            if (::lstat(p.path.c_str(), &st) == 0) {
                b.saved = p.path + ".old." + std::to_string(::getpid()) + "." + std::to_string(counter++);
                if (::link(p.path.c_str(), b.saved.c_str()) != 0) b.saved.clear();
            }
            commit(p);
            done.push_back(std::move(b));
        }
    } catch (...) {
        restore();
        throw;
    }
    for (const auto& b : done)
        if (!b.saved.empty()) ::unlink(b.saved.c_str());
}

void check_output_file(const std::string& path_arg, std::span<const std::string> inputs) {
    if (path_arg.empty()) return;
    const std::string path = resolve_links(path_arg);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return;  // a new file replaces nothing
    if (S_ISDIR(st.st_mode))
        refuse(EISDIR, "'" + path_arg + "' is a directory; name a file to write");
    for (const auto& in : inputs) {
        struct stat ist {};
        if (::stat(in.c_str(), &ist) == 0 && ist.st_dev == st.st_dev && ist.st_ino == st.st_ino)
            refuse(EEXIST, "'" + path_arg + "' is the input file '" + in +
                               "'; writing the output there would replace it: choose another output path");
    }
    if (S_ISREG(st.st_mode) && read_only(path, st)) refuse_read_only(path_arg, path);
}

}  // namespace sim
