// Atomic output: a file is written whole or not at all, a group of files
// together, a directory of results as a set (docs/reliability.md).
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace sim {

// Writes `path` through `writer` so that readers only ever see the old file or
// the complete new one: the data goes to a temporary file in the same
// directory (same file system, so the rename is atomic; an unnamed O_TMPFILE
// file where supported, so that even a killed process leaves nothing), which
// is flushed, fsync'ed and renamed over `path`. A new file gets mode 0666 & ~umask; an
// existing file keeps its mode.
//
// On any failure (cannot create the temporary, write or fsync error, the
// stream left in a failed state, rename error, or `writer` throwing) the
// temporary is removed and an existing `path` is left untouched. Failures are
// reported by throwing sim::Error (code E-IO) whose message names the path
// and the errno text, e.g. "cannot write 'out/r.csv': No space left on
// device", and whose os_error() is the errno; an exception thrown by
// `writer` is rethrown as is.
//
// A symbolic link is followed, link by link (at most 40): the file it finally
// names is replaced, or created if the link dangles (its directory must
// exist); the link itself stays. An existing path that is not a regular
// file (a device, FIFO or socket, e.g. /dev/stdout) is written in place: it
// cannot be renamed over without destroying it, so there the output is not
// atomic. An existing read-only regular file (no write permission bit, or
// not writable by this process) is refused (E-OUTPUT), never replaced.
//
//   sim::write_file_atomic("run.csv", [&](std::ostream& os) { sim::write_csv(r, os); });
//
// POSIX only (open O_EXCL, fsync, rename).
void write_file_atomic(const std::string& path, const std::function<void(std::ostream&)>& writer);

// One file of a group written together.
struct FileOutput {
    std::string path;
    std::function<void(std::ostream&)> writer;
};

// Several files that belong together (a CSV and its .meta.json sidecar):
// every file is written to its temporary and synced before any is renamed
// into place, so a failure while writing (disk full, a writer throwing)
// leaves every old file as it was. If a rename fails, the files already
// renamed are put back from hard-link backups of the old files. Only a
// crash between the renames (microseconds) can leave a mix.
void write_files_atomic(std::span<const FileOutput> files);

// Refuses (sim::Error E-OUTPUT) an output file that would replace one of
// `inputs` (the same file after following symbolic links, compared by
// device and inode) or a read-only file, or that is a directory. Call it
// before the run, so that a refused output costs nothing; write_file_atomic
// repeats the read-only check.
void check_output_file(const std::string& path, std::span<const std::string> inputs);

// A multi-file output (a directory of results: `sdsim compare --out DIR`)
// written as a set: readers see the old set or the new one, never a mix,
// and an interrupted or failed write leaves the old set.
struct OutputSetOptions {
    // Files the set must not replace or remove (the run's inputs): a DIR
    // that holds one is refused.
    std::vector<std::string> inputs;
    // The entries the writer may create at the top of DIR. An existing DIR
    // not made by write_output_set (no `.sdsim-output` marker) is replaced
    // only if it is empty or holds nothing but these names; otherwise it is
    // refused (E-OUTPUT), so that `--out .` can never remove unrelated files.
    std::vector<std::string> names;
};

// Builds the set by calling `build(tmp)` with a fresh directory `tmp`
// beside DIR (same parent, hence same file system), then, holding an
// exclusive flock on the parent directory (concurrent writers to the parent
// wait for each other; the lock dies with its process), swaps it in:
// renameat2(RENAME_EXCHANGE) where the file system supports it, else a
// two-step rename (DIR -> old, tmp -> DIR) recorded in a marker file
// `.NAME.sdsim-swap` in the parent, which the next writer uses to finish an
// interrupted swap. The old set is then removed. Temporary directories
// `.NAME.sdsim-tmp-PID-*` of processes that no longer exist are removed too.
// A DIR given as a symbolic link is followed (the directory it names is
// replaced; the link stays). Missing parent directories are created.
// Throws sim::Error (E-OUTPUT, E-IO); `build` may throw anything, after
// which `tmp` is removed and DIR is untouched.
void write_output_set(const std::string& dir, const std::function<void(const std::string& tmp)>& build,
                      const OutputSetOptions& options = {});

// write_output_set in two steps, for a writer that fills the set while it
// still computes (sdsim compare draws its charts into it while the samples
// run): the constructor checks DIR and makes the temporary directory
// (tmp()), commit() swaps it in as write_output_set does. Destroyed
// without commit() (an exception, a failed run), the temporary directory is
// removed and DIR is untouched.
//   sim::OutputSet set("out/compare", options);
//   write_file_atomic(set.tmp() + "/a.csv", ...);
//   set.commit();
class OutputSet {
public:
    explicit OutputSet(const std::string& dir, const OutputSetOptions& options = {});
    ~OutputSet();
    OutputSet(const OutputSet&) = delete;
    OutputSet& operator=(const OutputSet&) = delete;
    const std::string& tmp() const;
    // Throws sim::Error (E-OUTPUT, E-IO); at most once.
    void commit();

private:
    struct State;
    std::unique_ptr<State> s_;
};

// The checks of write_output_set that need no building: DIR is not a file,
// holds none of `options.inputs`, and is replaceable (see `names`). Throws
// sim::Error (E-OUTPUT). Call it before a long computation.
void check_output_dir(const std::string& dir, const OutputSetOptions& options = {});

namespace detail {
// Tests only: make write_output_set use its two-step swap even where
// RENAME_EXCHANGE works.
void force_two_step_swap(bool on);
// The temporary directory of an output set being built (OutputSet): a file
// written atomically inside it does not sync its directory (the set's
// commit syncs each of its directories once, before the swap).
void enter_output_set(const std::string& tmp);
void leave_output_set(const std::string& tmp);
bool in_output_set(const std::string& dir);
}  // namespace detail

}  // namespace sim
