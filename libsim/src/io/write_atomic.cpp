// write_file_atomic: temporary file + fsync + rename (see sim/write.hpp).
#include "sim/write.hpp"
#include "sim/diagnostic.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <ostream>
#include <streambuf>
#include <string>
#include <system_error>
#include <vector>

namespace sim {

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

}  // namespace

void write_file_atomic(const std::string& path_arg, const std::function<void(std::ostream&)>& writer) {
    if (path_arg.empty()) fail(ENOENT, "cannot write '': empty path");
    if (path_arg.back() == '/') fail(EISDIR, "cannot write '" + path_arg + "'");

    // stat follows symbolic links: this is what the path finally names.
    // An existing file keeps its permissions (fchmod below); a new file gets
    // what open() gives with 0666 and the process umask.
    std::optional<mode_t> keep_mode;
    struct stat st {};
    if (::stat(path_arg.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode)) fail(EISDIR, "cannot write '" + path_arg + "'");
        if (!S_ISREG(st.st_mode)) return write_through(path_arg, writer);
        keep_mode = st.st_mode & 07777;
    }

    // A symbolic link is followed: the file it points to is replaced, not the
    // link (renaming over the link would leave the target stale).
    std::string path = path_arg;
    struct stat lst {};
    if (::lstat(path.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode)) {
        std::error_code ec;
        auto target = std::filesystem::weakly_canonical(path, ec);
        if (!ec) path = target.string();
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
    TempGuard tmp;
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
    if (::rename(tmp.name.c_str(), path.c_str()) != 0) fail(errno, what);
    tmp.keep = true;  // it is `path` now

    // Make the rename itself durable; best effort, the data is already in place.
    int dfd = ::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

}  // namespace sim
