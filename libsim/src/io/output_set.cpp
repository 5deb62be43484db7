// write_output_set: a directory of results replaced as a whole (see
// sim/write.hpp). Build in a temporary directory beside the target, then
// swap under a lock on the parent directory.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "sim/diagnostic.hpp"
#include "sim/write.hpp"

namespace sim {

namespace detail {
namespace {
std::atomic<bool> two_step_forced{false};
}
void force_two_step_swap(bool on) { two_step_forced = on; }
}  // namespace detail

namespace {

namespace fs = std::filesystem;

// The marker inside every set this writer makes: a directory holding it may
// be replaced whole.
constexpr const char* set_marker = ".sdsim-output";

[[noreturn]] void fail(int e, const std::string& what) {
    const std::error_code ec(e, std::generic_category());
    throw Error(sim::Code::E_IO, "", what + ": " + ec.message(), ec);
}

[[noreturn]] void refuse(const std::string& message, int e = EEXIST) {
    throw Error(sim::Code::E_OUTPUT, "", message, std::error_code(e, std::generic_category()));
}

std::string strip_slashes(std::string s) {
    while (s.size() > 1 && s.back() == '/') s.pop_back();
    return s;
}

// Symbolic links followed one by one (at most 40); the result need not exist.
std::string resolve_links(const std::string& arg) {
    std::string path = arg;
    for (int hops = 0;; ++hops) {
        struct stat lst {};
        if (::lstat(path.c_str(), &lst) != 0 || !S_ISLNK(lst.st_mode)) return path;
        if (hops == 40) fail(ELOOP, "cannot write '" + arg + "'");
        std::vector<char> buf(4096);
        ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
        if (n <= 0) fail(n < 0 ? errno : ENOENT, "cannot write '" + arg + "'");
        std::string target(buf.data(), static_cast<std::size_t>(n));
        fs::path base = fs::path(path).parent_path();
        path = target[0] == '/' ? target : (base.empty() ? fs::path(target) : base / target).string();
        path = strip_slashes(path);
    }
}

struct Target {
    std::string shown;   // as given
    std::string path;    // links followed
    std::string parent;  // its directory
    std::string name;    // its last component
};

Target target_of(const std::string& dir) {
    if (dir.empty()) refuse("the output directory is an empty string", ENOENT);
    Target t;
    t.shown = dir;
    t.path = resolve_links(strip_slashes(dir));
    fs::path p(t.path);
    t.name = p.filename().string();
    if (t.name.empty() || t.name == "." || t.name == "..") {
        // `--out .`: the directory itself, named through its parent.
        std::error_code ec;
        fs::path abs = fs::weakly_canonical(fs::absolute(p, ec), ec);
        if (ec || !abs.has_parent_path() || abs == abs.root_path())
            refuse("cannot use '" + dir + "' as an output directory: it has no parent to build the new set in", EINVAL);
        p = abs;
        t.path = abs.string();
        t.name = abs.filename().string();
    }
    t.parent = p.parent_path().string();
    if (t.parent.empty()) t.parent = ".";
    return t;
}

bool exists(const std::string& p) {
    struct stat st {};
    return ::lstat(p.c_str(), &st) == 0;
}

std::vector<std::string> entries(const std::string& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        out.push_back(it->path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

// Refuses a DIR that is not a directory, holds an input, or holds files the
// set does not make.
void check_replaceable(const Target& t, const OutputSetOptions& o) {
    struct stat st {};
    if (::stat(t.path.c_str(), &st) != 0) return;
    if (!S_ISDIR(st.st_mode)) refuse("'" + t.shown + "' exists and is not a directory; choose a directory to write into", ENOTDIR);
    std::error_code ec;
    const fs::path canon = fs::canonical(t.path, ec);
    for (const auto& in : o.inputs) {
        std::error_code e2;
        const fs::path ic = fs::weakly_canonical(in, e2);
        if (ec || e2) continue;
        auto [a, b] = std::mismatch(canon.begin(), canon.end(), ic.begin(), ic.end());
        if (a == canon.end())
            refuse("'" + t.shown + "' holds the input file '" + in +
                   "'; the output directory is replaced as a whole, so write it elsewhere");
    }
    const auto have = entries(t.path);
    if (std::find(have.begin(), have.end(), set_marker) != have.end()) return;
    for (const auto& e : have)
        if (std::find(o.names.begin(), o.names.end(), e) == o.names.end())
            refuse("'" + t.shown + "' already holds '" + e +
                   "', which this output does not make; the output directory is replaced as a whole, so "
                   "choose a new or empty directory (or remove it first)");
}

void remove_tree(const std::string& p) {
    std::error_code ec;
    fs::remove_all(p, ec);
}

// Holds an exclusive flock on a directory until destroyed.
class DirLock {
public:
    explicit DirLock(const std::string& dir) {
        fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd_ < 0) fail(errno, "cannot open the directory '" + dir + "' to lock it");
        while (::flock(fd_, LOCK_EX) != 0) {
            if (errno == EINTR) continue;
            int e = errno;
            ::close(fd_);
            fd_ = -1;
            fail(e, "cannot lock the directory '" + dir + "'");
        }
    }
    ~DirLock() {
        if (fd_ >= 0) ::close(fd_);  // releases the lock
    }
    DirLock(const DirLock&) = delete;
    DirLock& operator=(const DirLock&) = delete;

private:
    int fd_ = -1;
};

void sync_dir(const std::string& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

std::string swap_marker(const Target& t) { return t.parent + "/." + t.name + ".sdsim-swap"; }
std::string tmp_prefix(const Target& t) { return "." + t.name + ".sdsim-tmp-"; }

// Under the lock: finishes a two-step swap a killed writer left half done
// (the marker names the old and the new directory), and removes temporary
// directories of writers that no longer exist.
void recover(const Target& t) {
    const std::string marker = swap_marker(t);
    std::ifstream in(marker);
    if (in) {
        std::string old_dir, new_dir;
        std::getline(in, old_dir);
        std::getline(in, new_dir);
        if (!exists(t.path) && !new_dir.empty() && exists(new_dir)) ::rename(new_dir.c_str(), t.path.c_str());
        if (!old_dir.empty()) remove_tree(old_dir);
        ::unlink(marker.c_str());
    }
    const std::string prefix = tmp_prefix(t);
    for (const auto& e : entries(t.parent)) {
        if (e.rfind(prefix, 0) != 0) continue;
        const std::string rest = e.substr(prefix.size());
        char* end = nullptr;
        const long pid = std::strtol(rest.c_str(), &end, 10);
        if (pid <= 0 || end == rest.c_str() || *end != '-') continue;
        if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) remove_tree(t.parent + "/" + e);
    }
}

// DIR -> old, tmp -> DIR, the steps recorded in the marker first.
void two_step(const Target& t, const std::string& tmp) {
    const std::string old_dir = tmp + ".old";
    const std::string marker = swap_marker(t);
    {
        std::ofstream m(marker, std::ios::trunc);
        m << old_dir << '\n' << tmp << '\n';
        m.flush();
        if (!m) fail(errno ? errno : EIO, "cannot write '" + marker + "'");
    }
    sync_dir(t.parent);
    if (::rename(t.path.c_str(), old_dir.c_str()) != 0) {
        int e = errno;
        ::unlink(marker.c_str());
        fail(e, "cannot move the old '" + t.shown + "' aside");
    }
    if (::rename(tmp.c_str(), t.path.c_str()) != 0) {
        int e = errno;
        ::rename(old_dir.c_str(), t.path.c_str());
        ::unlink(marker.c_str());
        fail(e, "cannot move the new set into '" + t.shown + "'");
    }
    sync_dir(t.parent);
    ::unlink(marker.c_str());
    remove_tree(old_dir);
}

void swap_in(const Target& t, const std::string& tmp) {
    if (!exists(t.path)) {
        if (::rename(tmp.c_str(), t.path.c_str()) != 0) fail(errno, "cannot move the new set into '" + t.shown + "'");
        return;
    }
    if (!detail::two_step_forced) {
        if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, t.path.c_str(), RENAME_EXCHANGE) == 0) {
            remove_tree(tmp);  // now the old set
            return;
        }
        if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
            fail(errno, "cannot move the new set into '" + t.shown + "'");
    }
    two_step(t, tmp);
}

}  // namespace

void check_output_dir(const std::string& dir, const OutputSetOptions& options) {
    check_replaceable(target_of(dir), options);
}

struct OutputSet::State {
    Target t;
    OutputSetOptions options;
    std::string tmp;
    bool committed = false;
};

OutputSet::OutputSet(const std::string& dir, const OutputSetOptions& options) : s_(std::make_unique<State>()) {
    s_->t = target_of(dir);
    s_->options = options;
    const Target& t = s_->t;
    check_replaceable(t, options);
    std::error_code ec;
    fs::create_directories(t.parent, ec);
    if (ec) throw Error(sim::Code::E_IO, "", "cannot create directory '" + t.parent + "': " + ec.message(), ec);

    std::string tmpl = t.parent + "/" + tmp_prefix(t) + std::to_string(::getpid()) + "-XXXXXX";
    if (!::mkdtemp(tmpl.data())) fail(errno, "cannot create a temporary directory in '" + t.parent + "'");
    s_->tmp = tmpl;
    detail::enter_output_set(s_->tmp);
    try {
        ::chmod(s_->tmp.c_str(), 0777 & ~[] {
            mode_t m = ::umask(0);
            ::umask(m);
            return m;
        }());
        write_file_atomic(s_->tmp + "/" + set_marker, [](std::ostream& os) {
            os << "This directory is an output set of sdsim: the next run writing it replaces it whole.\n";
        });
    } catch (...) {
        detail::leave_output_set(s_->tmp);
        remove_tree(s_->tmp);
        throw;
    }
}

OutputSet::~OutputSet() {
    detail::leave_output_set(s_->tmp);
    if (!s_->committed) remove_tree(s_->tmp);
}

const std::string& OutputSet::tmp() const { return s_->tmp; }

void OutputSet::commit() {
    if (s_->committed) throw Error(sim::Code::E_IO, "", "output set '" + s_->t.shown + "' committed twice");
    const Target& t = s_->t;
    // Every directory of the set, deepest first, then the set itself: the
    // files written in it synced their data but not their directory entries.
    {
        std::vector<std::string> dirs;
        std::error_code ec;
        for (auto it = fs::recursive_directory_iterator(s_->tmp, ec); !ec && it != fs::recursive_directory_iterator();
             it.increment(ec))
            if (it->is_directory(ec) && !it->is_symlink(ec)) dirs.push_back(it->path().string());
        for (auto d = dirs.rbegin(); d != dirs.rend(); ++d) sync_dir(*d);
    }
    sync_dir(s_->tmp);
    detail::leave_output_set(s_->tmp);
    DirLock lock(t.parent);
    recover(t);
    check_replaceable(t, s_->options);  // again: it may have changed while building
    swap_in(t, s_->tmp);
    s_->committed = true;
    sync_dir(t.parent);
}

void write_output_set(const std::string& dir, const std::function<void(const std::string& tmp)>& build,
                      const OutputSetOptions& options) {
    OutputSet set(dir, options);
    build(set.tmp());
    set.commit();
}

}  // namespace sim
