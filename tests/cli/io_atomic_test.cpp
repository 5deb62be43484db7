// Tests of sim::write_file_atomic (sim/write.hpp). A separate binary, run by
// ctest from tests/cmake/cli.cmake with a scratch directory as argv[1].
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>

#include "sim/diagnostic.hpp"
#include "sim/write.hpp"

namespace fs = std::filesystem;

namespace {

int failures = 0;

#define EXPECT(cond)                                                                       \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            ++failures;                                                                    \
            std::cerr << __FILE__ << ':' << __LINE__ << ": expectation failed: " #cond "\n"; \
        }                                                                                  \
    } while (0)

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void spit(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
}

// Only `expected` may be left in `dir`: no temporaries.
bool only_files(const fs::path& dir, std::initializer_list<std::string> expected) {
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        ++n;
        bool known = false;
        for (const auto& x : expected) known = known || e.path().filename() == x;
        if (!known) {
            std::cerr << "unexpected file left behind: " << e.path() << '\n';
            return false;
        }
    }
    return n == expected.size();
}

mode_t mode_of(const fs::path& p) {
    struct stat st {};
    ::stat(p.c_str(), &st);
    return st.st_mode & 07777;
}

// Runs `f`, expecting sim::Error (E-IO) carrying the OS error `code`;
// returns its message.
template <class F>
std::string expect_system_error(F f, int code) {
    try {
        f();
    } catch (const sim::Error& e) {
        EXPECT(e.os_error().value() == code);
        EXPECT(e.code() == sim::Code::E_IO);
        return e.diagnostics().items().at(0).message;
    } catch (const std::exception& e) {
        std::cerr << "unexpected exception: " << e.what() << '\n';
        ++failures;
        return {};
    }
    std::cerr << "no exception\n";
    ++failures;
    return {};
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: io_atomic_test SCRATCH_DIR\n";
        return 2;
    }
    const fs::path dir = fs::path(argv[1]) / "io_atomic";
    fs::remove_all(dir);
    fs::create_directories(dir);
    const fs::path target = dir / "out.txt";

    // A new file: whole content, mode from the umask, nothing else left.
    {
        mode_t mask = ::umask(022);
        sim::write_file_atomic(target.string(), [](std::ostream& os) { os << "alpha\nbeta\n"; });
        ::umask(mask);
        EXPECT(slurp(target) == "alpha\nbeta\n");
        EXPECT(mode_of(target) == 0644);
        EXPECT(only_files(dir, {"out.txt"}));
    }

    // Replacing: the new content, more than one internal buffer's worth, and
    // the old file's mode kept.
    {
        fs::permissions(target, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
        std::string big;
        for (int i = 0; i < 50000; ++i) big += std::to_string(i) + ",";
        sim::write_file_atomic(target.string(), [&](std::ostream& os) { os << big; });
        EXPECT(slurp(target) == big);
        EXPECT(mode_of(target) == 0640);
        EXPECT(only_files(dir, {"out.txt"}));
    }

    // The writer throws half-way: the old file is untouched and its exception
    // comes through unchanged.
    {
        spit(target, "old content\n");
        bool caught = false;
        try {
            sim::write_file_atomic(target.string(), [](std::ostream& os) {
                for (int i = 0; i < 100000; ++i) os << "partial ";
                throw std::runtime_error("writer failed");
            });
        } catch (const std::runtime_error& e) {
            caught = std::string(e.what()) == "writer failed";
        }
        EXPECT(caught);
        EXPECT(slurp(target) == "old content\n");
        EXPECT(only_files(dir, {"out.txt"}));
    }

    // The writer leaves the stream failed: an error, the old file untouched.
    {
        std::string what = expect_system_error(
            [&] { sim::write_file_atomic(target.string(), [](std::ostream& os) { os << "x"; os.setstate(std::ios::badbit); }); },
            EIO);
        EXPECT(contains(what, "cannot write '" + target.string() + "'"));
        EXPECT(slurp(target) == "old content\n");
        EXPECT(only_files(dir, {"out.txt"}));
    }

    // A missing directory: ENOENT with the errno text and the path.
    {
        const fs::path missing = dir / "no-such-dir" / "out.csv";
        std::string what = expect_system_error(
            [&] { sim::write_file_atomic(missing.string(), [](std::ostream& os) { os << "x"; }); }, ENOENT);
        EXPECT(contains(what, std::strerror(ENOENT)));
        EXPECT(contains(what, missing.string()));
        EXPECT(!fs::exists(missing));
    }

    // A directory as the target: refused, the directory unchanged.
    {
        fs::create_directory(dir / "sub");
        std::string what = expect_system_error(
            [&] { sim::write_file_atomic((dir / "sub").string(), [](std::ostream& os) { os << "x"; }); }, EISDIR);
        EXPECT(contains(what, std::strerror(EISDIR)));
        EXPECT(fs::is_directory(dir / "sub"));
        EXPECT(fs::is_empty(dir / "sub"));
        fs::remove(dir / "sub");
    }

    // A symbolic link: the target is replaced, the link stays a link.
    {
        spit(dir / "real.txt", "old\n");
        fs::create_symlink("real.txt", dir / "link.txt");
        sim::write_file_atomic((dir / "link.txt").string(), [](std::ostream& os) { os << "new\n"; });
        EXPECT(fs::is_symlink(dir / "link.txt"));
        EXPECT(slurp(dir / "real.txt") == "new\n");
        EXPECT(only_files(dir, {"out.txt", "real.txt", "link.txt"}));
        fs::remove(dir / "link.txt");
        fs::remove(dir / "real.txt");
    }

    // A FIFO (like a device, e.g. /dev/stdout) is written in place, never
    // replaced by a regular file.
    {
        const fs::path fifo = dir / "fifo";
        EXPECT(::mkfifo(fifo.c_str(), 0600) == 0);
        int rd = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);  // so that opening for writing does not block
        EXPECT(rd >= 0);
        sim::write_file_atomic(fifo.string(), [](std::ostream& os) { os << "through"; });
        char got[16] = {};
        ssize_t n = ::read(rd, got, sizeof got - 1);
        ::close(rd);
        EXPECT(n == 7 && std::string(got) == "through");
        struct stat st {};
        EXPECT(::lstat(fifo.c_str(), &st) == 0 && S_ISFIFO(st.st_mode));
        EXPECT(only_files(dir, {"out.txt", "fifo"}));
        fs::remove(fifo);
    }

    // Empty output is a valid whole file.
    {
        sim::write_file_atomic(target.string(), [](std::ostream&) {});
        EXPECT(fs::exists(target) && fs::file_size(target) == 0);
        EXPECT(only_files(dir, {"out.txt"}));
    }

    fs::remove_all(dir);
    if (failures) {
        std::cerr << failures << " expectation(s) failed\n";
        return 1;
    }
    std::cout << "io_atomic_test: all passed\n";
    return 0;
}
