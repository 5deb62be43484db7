// The one input reader (sim/input.hpp): read once, bounded, special files
// handled; text decoded to UTF-8 and checked.
#include "sim/input.hpp"

#include <fcntl.h>
#include <iconv.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "sim/scenario.hpp"  // sha256_hex
#include "util/text.hpp"

namespace sim {

namespace {

std::string os_message(int e) { return std::error_code(e, std::generic_category()).message(); }

const char* kind_of(mode_t m) {
    if (S_ISFIFO(m)) return "a FIFO (named pipe)";
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    if (S_ISSOCK(m)) return "a socket";
    return "not a regular file";
}

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

std::optional<Input> read_input(const std::string& path, Diagnostics& diags, const Limits& limits,
                                InputSource source) {
    const SourceLoc at{path, 0, 0};
    if (path.empty()) {
        diags.error(sim::Code::E_IO, at, "", "the file name is an empty string");
        return std::nullopt;
    }
    // A file named inside another must be regular: check before open(),
    // which would block on a FIFO nobody writes to.
    if (source == InputSource::regular) {
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
            diags.error(sim::Code::E_IO, at, "",
                        "'" + path + "' is " + kind_of(st.st_mode) +
                            ", not a regular file; a file named inside another file must be a regular file");
            return std::nullopt;
        }
    }
    Fd f;
    f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (f.fd < 0) {
        const int e = errno;
        diags.error(sim::Code::E_IO, at, "",
                    "cannot open '" + path + "': " + os_message(e) +
                        (e == ENOENT ? "; check the path" : e == EACCES ? "; check its permissions" : ""));
        return std::nullopt;
    }
    struct stat st {};
    if (::fstat(f.fd, &st) != 0) {
        diags.error(sim::Code::E_IO, at, "", "cannot read '" + path + "': " + os_message(errno));
        return std::nullopt;
    }
    if (S_ISDIR(st.st_mode)) {
        diags.error(sim::Code::E_IO, at, "", "'" + path + "' is a directory, not a model or scenario file");
        return std::nullopt;
    }
    if (source == InputSource::regular && !S_ISREG(st.st_mode)) {  // replaced since the stat above
        diags.error(sim::Code::E_IO, at, "", "'" + path + "' is " + kind_of(st.st_mode) + ", not a regular file");
        return std::nullopt;
    }
    const std::uint64_t cap = limits.input_bytes;
    auto too_large = [&](const std::string& size) {
        diags.error(sim::Code::E_LIMIT, at, "",
                    "'" + path + "' is " + size + ", larger than the input size limit" +
                        limit_hint(cap, "--max-input"));
    };
    Input in;
    in.path = path;
    in.regular = S_ISREG(st.st_mode);
    in.device = static_cast<std::uint64_t>(st.st_dev);
    in.inode = static_cast<std::uint64_t>(st.st_ino);
    if (in.regular && static_cast<std::uint64_t>(st.st_size) > cap) {
        too_large(format_bytes(static_cast<std::uint64_t>(st.st_size)));
        return std::nullopt;
    }
    // Read to the end, whatever stat said (a file may grow, a stream has no
    // size), never past the cap: one byte more than it tells "too large".
    std::string& b = in.bytes;
    if (in.regular) b.reserve(static_cast<std::size_t>(st.st_size));
    char buf[1 << 16];
    for (;;) {
        const std::size_t room = static_cast<std::size_t>(std::min<std::uint64_t>(sizeof buf, cap + 1 - b.size()));
        const ssize_t n = ::read(f.fd, buf, room);
        if (n < 0) {
            if (errno == EINTR) continue;
            diags.error(sim::Code::E_IO, at, "", "cannot read '" + path + "': " + os_message(errno));
            return std::nullopt;
        }
        if (n == 0) break;
        b.append(buf, static_cast<std::size_t>(n));
        if (b.size() > cap) {
            too_large("more than " + format_bytes(cap) + (in.regular ? std::string() : " (a stream, read up to the limit)"));
            return std::nullopt;
        }
    }
    in.sha256 = sha256_hex(b);
    return in;
}

std::size_t invalid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == 0) return i;
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t n = 0;
        unsigned cp = 0;
        if ((c & 0xE0) == 0xC0) n = 1, cp = c & 0x1Fu;
        else if ((c & 0xF0) == 0xE0) n = 2, cp = c & 0x0Fu;
        else if ((c & 0xF8) == 0xF0) n = 3, cp = c & 0x07u;
        else return i;
        if (i + n >= s.size()) return i;
        for (std::size_t k = 1; k <= n; ++k) {
            const auto d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (d & 0x3Fu);
        }
        // Overlong forms, surrogates and code points past U+10FFFF.
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return i;
        i += n + 1;
    }
    return std::string_view::npos;
}

namespace {

// 1-based line and column (in characters, counting UTF-8 lead bytes) of
// byte `off` of UTF-8 text.
SourceLoc position(std::string_view s, std::size_t off, const std::string& path) {
    SourceLoc l{path, 1, 1};
    for (std::size_t i = 0; i < off && i < s.size(); ++i) {
        if (s[i] == '\n') {
            ++l.line;
            l.col = 1;
        } else if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
            ++l.col;
        }
    }
    return l;
}

// The encoding named by an XML declaration at the start of `s`, "" if none.
std::string xml_declared_encoding(std::string_view s) {
    if (s.substr(0, 5) != "<?xml") return {};
    const auto end = s.find("?>");
    if (end == std::string_view::npos) return {};
    std::string_view decl = s.substr(0, end);
    auto p = decl.find("encoding");
    if (p == std::string_view::npos) return {};
    p = decl.find_first_of("\"'", p);
    if (p == std::string_view::npos) return {};
    const char q = decl[p];
    const auto e = decl.find(q, p + 1);
    if (e == std::string_view::npos) return {};
    return std::string(decl.substr(p + 1, e - p - 1));
}

// True if a Vensim file starts (after blanks) with its {UTF-8} marker.
bool vensim_utf8_marker(std::string_view s) {
    std::size_t p = 0;
    while (p < s.size() && (s[p] == ' ' || s[p] == '\t' || s[p] == '\r' || s[p] == '\n')) ++p;
    return text::lower(s.substr(p, 7)) == "{utf-8}";
}

bool is_utf8_name(std::string_view enc) {
    std::string e = text::lower(enc);
    return e == "utf-8" || e == "utf8";
}

// `bytes` in `enc` -> UTF-8; on failure the byte offset where it failed.
bool convert(std::string_view bytes, const std::string& enc, std::string& out, std::size_t& bad, bool& unknown) {
    unknown = false;
    iconv_t cd = ::iconv_open("UTF-8", enc.c_str());
    if (cd == reinterpret_cast<iconv_t>(-1)) {
        unknown = true;
        return false;
    }
    out.clear();
    out.reserve(bytes.size() + bytes.size() / 2);
    char* in = const_cast<char*>(bytes.data());
    std::size_t in_left = bytes.size();
    char buf[1 << 14];
    bool ok = true;
    while (in_left > 0) {
        char* o = buf;
        std::size_t o_left = sizeof buf;
        const std::size_t r = ::iconv(cd, &in, &in_left, &o, &o_left);
        out.append(buf, sizeof buf - o_left);
        if (r == static_cast<std::size_t>(-1) && errno != E2BIG) {
            ok = false;
            bad = bytes.size() - in_left;
            break;
        }
    }
    ::iconv_close(cd);
    return ok;
}

}  // namespace

std::optional<std::string> decode_text(std::string_view bytes, const std::string& path, TextFormat format,
                                       Diagnostics& diags) {
    const std::string what = format == TextFormat::yaml     ? "YAML"
                             : format == TextFormat::xml    ? "XML"
                             : format == TextFormat::vensim ? "Vensim"
                                                            : "text";
    // Byte-order marks: UTF-8 is dropped; UTF-16/32 are converted (YAML 1.2
    // and XML 1.0 allow them).
    std::string enc;
    std::size_t skip = 0;
    auto starts = [&](std::string_view p) { return bytes.substr(0, p.size()) == p; };
    if (starts("\xEF\xBB\xBF")) skip = 3;
    else if (starts(std::string_view("\xFF\xFE\x00\x00", 4))) enc = "UTF-32LE", skip = 4;
    else if (starts(std::string_view("\x00\x00\xFE\xFF", 4))) enc = "UTF-32BE", skip = 4;
    else if (starts("\xFF\xFE")) enc = "UTF-16LE", skip = 2;
    else if (starts("\xFE\xFF")) enc = "UTF-16BE", skip = 2;
    if (enc.empty() && format == TextFormat::xml) {
        std::string declared = xml_declared_encoding(bytes.substr(skip));
        if (!declared.empty() && !is_utf8_name(declared)) {
            if (skip == 3) {
                diags.error(sim::Code::E_ENCODING, {path, 1, 1}, "",
                            "the file starts with a UTF-8 byte-order mark but declares encoding '" + declared +
                                "'; remove one of them");
                return std::nullopt;
            }
            enc = declared;
        }
    }
    std::string_view body = bytes.substr(skip);
    std::string converted;
    if (!enc.empty()) {
        std::size_t bad = 0;
        bool unknown = false;
        if (!convert(body, enc, converted, bad, unknown)) {
            if (unknown) {
                diags.error(sim::Code::E_ENCODING, {path, 1, 1}, "",
                            "the file declares the encoding '" + enc +
                                "', which is not known here; save it as UTF-8 (and declare encoding=\"UTF-8\")");
            } else {
                // Locate the failure in the text converted so far.
                SourceLoc l = position(converted, converted.size(), path);
                diags.error(sim::Code::E_ENCODING, l, "",
                            "the file is not valid " + enc + " text (byte " + std::to_string(bad + skip) +
                                " cannot be decoded); save it as UTF-8 or fix its encoding declaration");
            }
            return std::nullopt;
        }
        body = converted;
    }
    if (auto bad = invalid_utf8(body); bad != std::string_view::npos) {
        const SourceLoc l = position(body, bad, path);
        const unsigned char c = static_cast<unsigned char>(body[bad]);
        std::string why;
        if (c == 0) why = "a NUL byte";
        else why = "byte 0x" + std::string(1, "0123456789ABCDEF"[c >> 4]) + "0123456789ABCDEF"[c & 15] +
                   ", which is not valid UTF-8";
        const std::string source = enc.empty() ? "UTF-8" : enc + " (converted to UTF-8)";
        diags.error(sim::Code::E_ENCODING, l, "",
                    "the file is not " + source + " text: " + why + " at byte " + std::to_string(bad + skip) +
                        (c == 0 ? std::string("; a model or scenario is text")
                                : "; save the " + what + " file as UTF-8" +
                                      (format == TextFormat::xml ? " or declare its encoding (<?xml ... encoding=\"...\"?>)"
                                       : format == TextFormat::vensim && !vensim_utf8_marker(body)
                                           ? std::string(" (a .mdl without the {UTF-8} marker is in the Windows code page of the "
                                                         "machine that wrote it: convert it, e.g. iconv -f WINDOWS-1252 -t UTF-8)")
                                           : std::string())));
        return std::nullopt;
    }
    if (!enc.empty()) return converted;
    return std::string(body);
}

}  // namespace sim
