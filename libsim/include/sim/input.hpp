// Reading input files: the one reader every loader uses (models, scenarios,
// the files they name, data files). A file is read once, from a regular
// file or a stream, with its size bounded; the bytes returned are the bytes
// parsed and hashed for provenance. Text is checked to be UTF-8 (an XML
// file declaring another encoding, or a UTF-16/32 file with a byte-order
// mark, is converted) before any parser sees it. docs/reliability.md.
//
//   sim::Diagnostics d;
//   if (auto in = sim::read_input("model.yaml", d)) {
//       auto text = sim::decode_text(*in, sim::TextFormat::yaml, d);   // UTF-8, or nullopt
//   }
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/diagnostic.hpp"
#include "sim/limits.hpp"

namespace sim {

// What may be read from a path.
enum class InputSource {
    // A file the user named (the command line's FILE): a regular file, or a
    // stream read to its end once (a FIFO, a pipe such as /dev/stdin or
    // bash's <(...), a character device, which the size limit bounds).
    any,
    // A file named inside another file (`extends:`, `model:`, a data file):
    // a regular file only. A FIFO there would block the run on a file nobody
    // writes to, and a device has no business being a model.
    regular,
};

struct Input {
    std::string path;    // as given
    std::string bytes;   // exactly what was read
    std::string sha256;  // of `bytes` (64 lowercase hex digits)
    bool regular = true; // a regular file (false: a stream)
    // Identity of the file read, for refusing an output that would replace
    // it (sim::check_output); 0, 0 if unknown.
    std::uint64_t device = 0, inode = 0;
};

// Reads `path` whole, once. Errors (E-IO: cannot open, is a directory, not
// a regular file where one is required, read error; E-LIMIT: larger than
// limits.input_bytes) are appended to `diags` at `path` (line 0) and nullopt
// is returned; nothing is left open.
std::optional<Input> read_input(const std::string& path, Diagnostics& diags, const Limits& limits = {},
                                InputSource source = InputSource::any);

enum class TextFormat { yaml, xml, vensim, text };

// The text of `bytes` as UTF-8, checked: a UTF-8 byte-order mark is dropped;
// UTF-16/32 with a byte-order mark, and (for XML) an encoding named in the
// XML declaration, are converted with iconv. Text that is not valid in its
// encoding, holds a NUL byte, or names an encoding iconv does not know, is
// E-ENCODING at the offending line and column, naming the encoding. A
// Vensim file without the {UTF-8} marker that is not UTF-8 is refused with
// a hint to convert it from the Windows code page older Vensim writes.
// Line and column numbers of the result are those of the original text.
std::optional<std::string> decode_text(std::string_view bytes, const std::string& path, TextFormat format,
                                       Diagnostics& diags);

// Offset of the first byte of `s` that is NUL or not part of valid UTF-8
// (overlong forms, surrogates, beyond U+10FFFF), or npos.
std::size_t invalid_utf8(std::string_view s);

}  // namespace sim
