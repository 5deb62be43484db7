// Running gnuplot for the reports: choosing the terminal (probing for
// pngcairo when PNG is asked for), running a chart script in the charts
// directory and moving each finished image into place. The only code in
// libsim that starts another program.
#include <signal.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "report_detail.hpp"
#include "sim/write.hpp"

namespace sim {

std::optional<ChartFormat> parse_chart_format(std::string_view s) {
    if (s == "svg") return ChartFormat::svg;
    if (s == "png") return ChartFormat::png;
    return std::nullopt;
}

}  // namespace sim

namespace sim::report_detail {

namespace {

// Starts argv in `dir` with stdout and stderr appended to `log` (which may
// be ""); returns its pid, or -1 if it could not be started: its program
// could not be executed (not found, not executable), or no process could be
// made (then `*no_process` is the errno of pipe2 or fork, if given). The
// child reports a failed exec through a close-on-exec pipe (closed unread
// when the exec succeeds) and is reaped here.
pid_t spawn_in(const std::string& dir, const std::vector<std::string>& argv, const std::string& log,
               int* no_process = nullptr) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    int exec_failed[2];
    if (::pipe2(exec_failed, O_CLOEXEC) != 0) {
        if (no_process) *no_process = errno;
        return -1;
    }
    pid_t pid = ::fork();
    if (pid < 0) {
        if (no_process) *no_process = errno;
        ::close(exec_failed[0]);
        ::close(exec_failed[1]);
        return -1;
    }
    if (pid == 0) {
        // Only async-signal-safe calls between fork and exec.
        ::close(exec_failed[0]);
        int report = exec_failed[1];
        if (report <= 2) report = ::fcntl(report, F_DUPFD_CLOEXEC, 3);  // not replaced by the dup2s below
        if (!dir.empty() && ::chdir(dir.c_str()) != 0) ::_exit(126);
        int fd = ::open(log.empty() ? "/dev/null" : log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0666);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            ::close(fd);
        }
        ::execvp(args[0], args.data());
        const int err = errno;
        if (report >= 0) {
            const ssize_t written = ::write(report, &err, sizeof err);
            (void)written;  // if it fails, the parent takes the child for gnuplot
        }
        ::_exit(127);
    }
    ::close(exec_failed[1]);
    int err = 0;
    ssize_t n;
    while ((n = ::read(exec_failed[0], &err, sizeof err)) < 0 && errno == EINTR) {
    }
    ::close(exec_failed[0]);
    if (n > 0) {  // the exec failed: the child is exiting
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        return -1;
    }
    return pid;
}

// The exit status of a spawned program, or -1 if it could not be started
// (or did not exit normally).
int wait_for(pid_t pid) {
    if (pid < 0) return -1;
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    if (!WIFEXITED(status)) return -1;
    int rc = WEXITSTATUS(status);
    return rc == 127 ? -1 : rc;
}

}  // namespace

std::string gp_quote(const std::string& s) {  // gnuplot single-quoted string
    std::string o = "'";
    for (char c : s) {
        if (c == '\'') o += '\'';
        o += c;
    }
    return o + "'";
}

std::string gp_label(const std::string& s) {  // a double-quoted label in a data file
    std::string o = "\"";
    for (char c : s) o += c == '"' ? '\'' : c;
    return o + "\"";
}

std::string file_stem(const std::string& name, std::set<std::string>& used) {
    std::string s;
    for (char c : name)
        s += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
    if (s.empty()) s = "x";
    std::string u = s;
    for (int i = 2; !used.insert(u).second; ++i) u = s + "_" + std::to_string(i);
    return u;
}

namespace {

// The system made no process for gnuplot (pipe2 or fork failed with `e`):
// gnuplot may well be installed.
void not_started(Gnuplot& g, int e) {
    g.found = false;
    g.why_not = "gnuplot could not be started (" + std::string(std::strerror(e)) + "); run `gnuplot charts.gp` in charts/";
}

void not_found(Gnuplot& g, const ReportOptions& o) {
    g.found = false;
    g.why_not = "gnuplot was not found ('" + o.gnuplot + "' could not be run); install it "
                "(Debian: apt-get install gnuplot-nox) and run `gnuplot charts.gp` in charts/";
}

}  // namespace

Gnuplot probe_gnuplot(const ReportOptions& o, const std::string& size) {
    Gnuplot g;
    g.found = true;  // svg: not known otherwise until the script is run (start_render)
    g.ext = "svg";
    if (o.chart_format == ChartFormat::png) {
        int no_process = 0;
        const int probe = wait_for(spawn_in("", {o.gnuplot, "-e", "set terminal pngcairo"}, "", &no_process));
        if (no_process != 0) not_started(g, no_process);
        else if (probe < 0) not_found(g, o);
        if (probe == 0) g.ext = "png";  // else no pngcairo: svg
    }
    g.terminal = terminal_line(g, size);
    return g;
}

Rendering start_render(Gnuplot& g, const std::string& cdir, const std::string& script,
                       std::vector<std::string> outputs, const ReportOptions& o) {
    namespace fs = std::filesystem;
    write_file_atomic(cdir + "/charts.gp", [&](std::ostream& os) { os << script; });
    Rendering job;
    job.cdir = cdir;
    job.outputs = std::move(outputs);
    if (!g.found) return job;
    const std::string abs_cdir = fs::absolute(cdir).string();
    const std::string log = abs_cdir + "/gnuplot.log";
    std::error_code ec;
    fs::remove(log, ec);
    int no_process = 0;
    job.pid = spawn_in(abs_cdir, {o.gnuplot, "charts.gp"}, log, &no_process);
    if (job.pid < 0 && no_process != 0) {
        not_started(g, no_process);
        return job;
    }
    if (job.pid < 0) {  // under svg, the first time gnuplot is tried
        not_found(g, o);
        fs::remove(log, ec);  // made by the child before its exec failed
        return job;
    }
    job.started = true;
    return job;
}

bool finish_render(Gnuplot& g, Rendering& job) {
    namespace fs = std::filesystem;
    if (!job.started) return false;
    job.started = false;
    const int rc = wait_for(job.pid);
    job.pid = -1;
    bool ok = rc == 0;
    std::error_code ec;
    for (const auto& f : job.outputs) {
        const std::string tmp = job.cdir + "/" + f + ".tmp";
        if (ok && fs::exists(tmp)) {
            fs::rename(tmp, job.cdir + "/" + f);
        } else {
            ok = false;
            fs::remove(tmp, ec);
        }
    }
    if (!ok) g.why_not = "gnuplot failed (exit status " + std::to_string(rc) + "); see charts/gnuplot.log";
    g.made = ok;
    return ok;
}

void Rendering::stop() noexcept {
    // Not finished (the caller failed before): stop gnuplot and reap it.
    if (started && pid > 0) {
        ::kill(pid, SIGTERM);
        wait_for(pid);
    }
    started = false;
}

bool render(Gnuplot& g, const std::string& cdir, const std::string& script, const std::vector<std::string>& outputs,
            const ReportOptions& o) {
    Rendering job = start_render(g, cdir, script, outputs, o);
    return finish_render(g, job);
}

std::string charts_note(const Gnuplot& g) {
    if (g.made) return "";
    if (g.disabled) return "Charts were not made: " + g.why_not + ".\n";
    return "Charts were not made: " + g.why_not + ". The data and the gnuplot script are in charts/.\n";
}

}  // namespace sim::report_detail
