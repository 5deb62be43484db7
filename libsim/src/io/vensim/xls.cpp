// Reading .xls (Excel 97, BIFF) workbooks for GET XLS/DIRECT through FreeXL.
// Only numbers are read (text, dates and times are blank cells). FreeXL
// allocates every sheet's whole grid (rows x columns as the sheet's
// DIMENSION record, or else its farthest cell, says) while it opens the
// file, so the extents are read first, here, from the file's own records
// (the compound-file container's Workbook stream, then its BIFF records),
// and a workbook whose sheets span more than max_data_cells together is
// refused before FreeXL sees it, as is one with a length FreeXL would trust
// past its buffer (grid_cells, Container::stream).
// FreeXL opens files by name only: so that it parses the very bytes checked
// here (a file replaced between the check and the open would escape it),
// those bytes are handed to it through an anonymous in-memory file
// (memfd_create, opened as /proc/self/fd/N) where Linux provides one.
#include <freexl.h>
#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>

#include "io/vensim/data.hpp"
#include "util/text.hpp"

namespace sim::vensim {
namespace {

std::uint32_t u16(const std::string& b, std::size_t at) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8;
}
std::uint32_t u32(const std::string& b, std::size_t at) { return u16(b, at) | u16(b, at + 2) << 16; }

constexpr std::uint32_t end_of_chain = 0xFFFFFFFEu;

// The compound-file (CFBF) container of an .xls, enough of it to read one
// stream. Every index and chain is checked against the file: a chain that
// loops or leaves the file is an error, not a hang or a read out of bounds.
class Container {
public:
    explicit Container(const std::string& file) : f_(file) {}

    bool open(std::string& err) {
        static const char magic[] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
        if (f_.size() < 512 || f_.compare(0, 8, magic, 8) != 0) return bad(err, "it has no compound-file header");
        const std::uint32_t shift = u16(f_, 0x1E);
        if ((shift != 9 && shift != 12) || u16(f_, 0x20) != 6) return bad(err, "its compound-file header is corrupt");
        ssz_ = std::size_t{1} << shift;
        sectors_ = f_.size() / ssz_ - 1;
        // The FAT's own sectors: 109 listed in the header, the rest in a chain of DIFAT sectors.
        const std::size_t nfat = u32(f_, 0x2C);
        if (nfat > sectors_) return bad(err, "its sector table is larger than the file");
        std::vector<std::uint32_t> fat_sectors;
        for (std::size_t i = 0; i < 109 && fat_sectors.size() < nfat; ++i) fat_sectors.push_back(u32(f_, 0x4C + 4 * i));
        std::uint32_t difat = u32(f_, 0x44);
        for (std::size_t steps = 0; fat_sectors.size() < nfat; ++steps) {
            if (difat >= sectors_ || steps > sectors_) return bad(err, "its sector table is corrupt");
            const std::size_t at = offset(difat);
            for (std::size_t i = 0; i + 1 < ssz_ / 4 && fat_sectors.size() < nfat; ++i) fat_sectors.push_back(u32(f_, at + 4 * i));
            difat = u32(f_, at + ssz_ - 4);
        }
        for (auto s : fat_sectors) {
            if (s >= sectors_) return bad(err, "its sector table is corrupt");
            for (std::size_t i = 0; i < ssz_ / 4; ++i) fat_.push_back(u32(f_, offset(s) + 4 * i));
        }
        return true;
    }

    // The stream named `a` or `b` (a workbook is "Workbook" in BIFF8, "Book" before).
    bool stream(std::string_view a, std::string_view b, std::string& out, std::string& err) {
        std::string dir;
        if (!chain(u32(f_, 0x30), fat_, ssz_, f_, dir, err)) return false;
        std::size_t root = dir.size(), found = dir.size();
        for (std::size_t e = 0; e + 128 <= dir.size(); e += 128) {
            // FreeXL converts each entry's name by its stated length, unchecked.
            if (u16(dir, e + 64) > 64 || u16(dir, e + 64) % 2) return bad(err, "its directory is corrupt");
            const auto type = static_cast<unsigned char>(dir[e + 66]);
            if (type == 5 && root == dir.size()) root = e;
            if (type != 2) continue;
            const std::size_t len = u16(dir, e + 64);
            std::string name;
            for (std::size_t i = 0; i + 1 < len && dir[e + i] != '\0'; i += 2)  // UTF-16LE, NUL-terminated
                name += static_cast<char>(std::tolower(static_cast<unsigned char>(dir[e + i])));
            if (name == text::lower(a) || name == text::lower(b)) {
                found = e;
                break;
            }
        }
        if (found == dir.size()) return bad(err, "it holds no workbook stream");
        const std::size_t size = u32(dir, found + 120), start = u32(dir, found + 116);
        if (size > f_.size()) return bad(err, "its workbook stream is larger than the file");
        if (size < u32(f_, 0x38)) {
            // A small stream lives in 64-byte sectors of the mini stream (the root entry's chain).
            if (root == dir.size()) return bad(err, "it has no root entry");
            std::string mini, minifat_bytes;
            if (!chain(u32(dir, root + 116), fat_, ssz_, f_, mini, err)) return false;
            if (!chain(u32(f_, 0x3C), fat_, ssz_, f_, minifat_bytes, err)) return false;
            std::vector<std::uint32_t> minifat;
            for (std::size_t i = 0; i + 4 <= minifat_bytes.size(); i += 4) minifat.push_back(u32(minifat_bytes, i));
            if (!chain(static_cast<std::uint32_t>(start), minifat, 64, mini, out, err)) return false;
        } else if (!chain(static_cast<std::uint32_t>(start), fat_, ssz_, f_, out, err)) {
            return false;
        }
        if (out.size() < size) return bad(err, "its workbook stream is truncated");
        out.resize(size);
        return true;
    }

private:
    static bool bad(std::string& err, const std::string& why) {
        err = why;
        return false;
    }
    std::size_t offset(std::uint32_t sector) const { return (std::size_t{sector} + 1) * ssz_; }
    // The sectors of `table` from `start`, `unit` bytes each, of `data`
    // (sector n at (n + 1) * unit in the file itself, at n * unit in the mini stream).
    bool chain(std::uint32_t start, const std::vector<std::uint32_t>& table, std::size_t unit, const std::string& data,
               std::string& out, std::string& err) const {
        const bool in_file = &data == &f_;
        out.clear();
        for (std::uint32_t s = start; s != end_of_chain;) {
            const std::size_t at = in_file ? offset(s) : std::size_t{s} * unit;
            if (s >= table.size() || at + unit > data.size() || out.size() >= data.size())
                return bad(err, "a chain of its sectors leaves the file or loops");
            out.append(data, at, unit);
            s = table[s];
        }
        return true;
    }

    const std::string& f_;
    std::size_t ssz_ = 512, sectors_ = 0;
    std::vector<std::uint32_t> fat_;
};

// Whether the string of a BIFF8 record at `p` (flags byte, optional rich
// text and extension sizes, then `chars` characters) fits in the record's
// `len` bytes: FreeXL copies as many bytes as the string says, and a 16-bit
// count can reach far past its 8,224-byte record buffer.
bool string_fits(const std::string& w, std::size_t d, std::size_t len, std::size_t p, std::size_t chars, bool biff8) {
    if (!biff8) return p + chars <= len;
    if (p >= len) return false;
    const auto flags = static_cast<unsigned char>(w[d + p]);
    p += 1 + (flags & 0x08 ? 2 : 0) + (flags & 0x04 ? 4 : 0);
    return p + chars * (flags & 0x01 ? 2 : 1) <= len;
}

// The cells FreeXL will allocate for the sheets of the BIFF record stream
// `w` (an upper bound: each sheet's declared DIMENSION and its farthest
// cell record, whichever is larger), stopping once it is over `limit`;
// `bad` says why FreeXL must not see the stream: a LABEL or FORMAT string
// running past its record, or a DIMENSION record shorter than its fields
// or repeated in a sheet (FreeXL reads such fields from the previous
// record's bytes and allocates the sheet's grid again).
std::uint64_t grid_cells(const std::string& w, std::uint64_t limit, std::string& bad) {
    std::uint64_t total = 0, rows = 0, cols = 0;
    int dimensions = 0;
    const bool biff8 = w.size() >= 6 && u16(w, 4) == 0x0600;  // the first BOF's version
    auto close = [&] {
        total += rows * cols;
        rows = cols = 0;
        dimensions = 0;
    };
    for (std::size_t p = 0; p + 4 <= w.size() && total <= limit;) {
        const std::uint32_t type = u16(w, p), len = u16(w, p + 2);
        const std::size_t d = p + 4;
        if (d + len > w.size()) break;
        p = d + len;
        switch (type) {
            case 0x0809: case 0x0409: case 0x0209: case 0x0009:  // BOF: a sheet starts
            case 0x000A:                                         // EOF: it ends
                close();
                break;
            case 0x0200:  // DIMENSION: BIFF8 has 32-bit rows, BIFF5 16-bit
                if (len < (biff8 ? 14u : 10u) || ++dimensions > 1) bad = "a sheet's DIMENSION record is short or repeated";
                if (len >= 14) rows = std::max<std::uint64_t>(rows, u32(w, d + 4)), cols = std::max<std::uint64_t>(cols, u16(w, d + 10));
                else if (len >= 10) rows = std::max<std::uint64_t>(rows, u16(w, d + 2)), cols = std::max<std::uint64_t>(cols, u16(w, d + 6));
                break;
            case 0x0000:  // DIMENSION of BIFF2
                if (len >= 8) rows = std::max<std::uint64_t>(rows, u16(w, d + 2)), cols = std::max<std::uint64_t>(cols, u16(w, d + 6));
                break;
            case 0x041E:  // FORMAT: index, 16-bit count, string (BIFF8)
                if (biff8 && (len < 4 || !string_fits(w, d, len, 4, u16(w, d + 2), true))) bad = "a number format runs past its record";
                break;
            case 0x00BD: case 0x00BE:  // MULRK, MULBLANK: row, first column, ..., last column
                if (len >= 6) rows = std::max<std::uint64_t>(rows, u16(w, d) + 1u), cols = std::max<std::uint64_t>(cols, u16(w, d + len - 2) + 1u);
                [[fallthrough]];
            case 0x0001: case 0x0002: case 0x0003: case 0x0004: case 0x0005: case 0x0006:  // BIFF2 cells
            case 0x0201: case 0x0203: case 0x0204: case 0x0205: case 0x0206: case 0x027E:  // BLANK NUMBER LABEL BOOLERR FORMULA RK
            case 0x00FD: case 0x00D6: case 0x0406:                                         // LABELSST RSTRING FORMULA
                if (len >= 4) rows = std::max<std::uint64_t>(rows, u16(w, d) + 1u), cols = std::max<std::uint64_t>(cols, u16(w, d + 2) + 1u);
                if (type == 0x0204 && (len < 8 || !string_fits(w, d, len, 8, u16(w, d + 6), biff8))) bad = "a text cell runs past its record";  // LABEL
                break;
            default:
                break;
        }
    }
    close();
    return total;
}

std::string freexl_error(int code) {
    switch (code) {
        case FREEXL_FILE_NOT_FOUND: return "it cannot be opened";
        case FREEXL_INSUFFICIENT_MEMORY: return "out of memory";
        case FREEXL_UNSUPPORTED_CHARSET: return "its character set is not supported";
        case FREEXL_INVALID_CHARACTER: return "it has text that is not in its declared character set";
        case FREEXL_CRAFTED_FILE: return "it is severely corrupt";
        default: return "it is corrupt (FreeXL error " + std::to_string(code) + ")";
    }
}

struct Handle {
    const void* h = nullptr;
    ~Handle() {
        if (h) freexl_close(h);
    }
};

// The checked bytes as a file FreeXL can open by name: an anonymous memory
// file on Linux; elsewhere (or if /proc is not mounted) the path itself.
struct Bytes {
    int fd = -1;
    std::string name;
    Bytes(const std::string& path, const std::string& bytes) : name(path) {
#if defined(__linux__) && defined(MFD_CLOEXEC)
        fd = ::memfd_create("sim-xls", MFD_CLOEXEC);
        if (fd < 0) return;
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
            if (n <= 0) {
                ::close(fd);
                fd = -1;
                return;
            }
            done += static_cast<std::size_t>(n);
        }
        const std::string proc = "/proc/self/fd/" + std::to_string(fd);
        if (::access(proc.c_str(), R_OK) == 0) name = proc;
#else
        (void)bytes;
#endif
    }
    ~Bytes() {
#if defined(__linux__)
        if (fd >= 0) ::close(fd);
#endif
    }
    Bytes(const Bytes&) = delete;
    Bytes& operator=(const Bytes&) = delete;
};

}  // namespace

bool read_xls(const std::string& path, Workbook& wb, std::string& err) {
    if (!data_file_fits(path, err)) return false;
    std::string file;
    {
        std::ifstream in(path, std::ios::binary);
        file.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    auto corrupt = [&](const std::string& why) {
        err = "'" + path + "' is not a readable .xls workbook: " + why;
        return false;
    };
    std::string why, stream;
    Container c(file);
    if (!c.open(why) || !c.stream("Workbook", "Book", stream, why)) return corrupt(why);
    std::string bad;
    if (grid_cells(stream, max_data_cells, bad) > max_data_cells) {
        err = "the sheets of '" + path + "' span more than " + std::to_string(max_data_cells) + " cells";
        return false;
    }
    if (!bad.empty()) return corrupt(bad);
    const Bytes checked(path, file);
    Handle x;
    if (int rc = freexl_open(checked.name.c_str(), &x.h); rc != FREEXL_OK) return corrupt(freexl_error(rc));
    unsigned int info = 0;
    if (freexl_get_info(x.h, FREEXL_BIFF_PASSWORD, &info) == FREEXL_OK && info == FREEXL_BIFF_OBFUSCATED)
        return corrupt("it is password-protected");
    unsigned int sheets = 0;
    if (int rc = freexl_get_info(x.h, FREEXL_BIFF_SHEET_COUNT, &sheets); rc != FREEXL_OK) return corrupt(freexl_error(rc));
    for (unsigned int s = 0; s < sheets && s <= 0xFFFF; ++s) {
        const auto idx = static_cast<unsigned short>(s);
        const char* name = nullptr;
        unsigned int rows = 0;
        unsigned short cols = 0;
        if (int rc = freexl_get_worksheet_name(x.h, idx, &name); rc != FREEXL_OK || !name) return corrupt(freexl_error(rc));
        if (int rc = freexl_select_active_worksheet(x.h, idx); rc != FREEXL_OK) return corrupt(freexl_error(rc));
        if (int rc = freexl_worksheet_dimensions(x.h, &rows, &cols); rc != FREEXL_OK) return corrupt(freexl_error(rc));
        Grid& g = wb.sheets[text::lower(name)];
        for (unsigned int r = 0; r < rows; ++r)
            for (unsigned short col = 0; col < cols; ++col) {
                FreeXL_CellValue v;
                if (freexl_get_cell_value(x.h, r, col, &v) != FREEXL_OK) continue;
                double d;
                if (v.type == FREEXL_CELL_INT) d = v.value.int_value;
                else if (v.type == FREEXL_CELL_DOUBLE) d = v.value.double_value;
                else continue;
                if (!std::isfinite(d)) continue;  // Excel stores none: a corrupt cell is blank
                if (g.size() <= r) g.resize(r + 1);
                if (g[r].size() <= col) g[r].resize(col + std::size_t{1});
                g[r][col] = d;
            }
    }
    return true;
}

}  // namespace sim::vensim
