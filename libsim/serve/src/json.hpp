// JSON for the dashboard's API: a reader bounded in size, depth and value
// count that keeps each value's position (so a bad request is reported at
// body:line:col like a bad model file), and a writer.
//
// Hand-written rather than a library: the project has no JSON dependency,
// the API needs positions in every message and numbers read by the one
// number parser (text::parse_number), and bounds that hold before anything
// is allocated in proportion to the input (a depth limit, so no recursion
// on attacker-chosen nesting; a count of values). About 300 lines, tested in
// tests/serve/test_json.cpp, and with mutated request bodies thrown at every
// endpoint in tests/serve/test_api.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/diagnostic.hpp"

namespace sim::serve::json {

enum class Kind : std::uint8_t { null, boolean, number, string, array, object };
const char* to_string(Kind k);  // "null", "a boolean", "a number", "a string", "an array", "an object"

struct Member;

struct Value {
    Kind kind = Kind::null;
    bool boolean = false;
    double number = 0;
    std::string text;              // a string: its decoded text; a number: as written
    std::vector<Value> items;      // an array
    std::vector<Member> members;   // an object, in the order written (keys unique)
    std::size_t offset = 0;        // byte offset of the value's first character

    bool is(Kind k) const { return kind == k; }
    // The member named `key` (exact comparison), or nullptr.
    const Value* find(std::string_view key) const;
};

struct Member {
    std::string key;
    std::size_t key_offset = 0;  // byte offset of the key's opening quote
    Value value;
};

struct Limits {
    std::size_t max_bytes = std::size_t{1} << 20;  // the whole text
    std::size_t max_depth = 32;                    // nested arrays and objects
    std::size_t max_values = 200000;               // values of any kind
};

// A body and the name its positions are reported under ("request body").
struct Source {
    Source() = default;
    Source(std::string_view t, std::string n);
    std::string_view text;
    std::string name;
    // file = name, line and column (1-based, in bytes) of text[offset].
    SourceLoc at(std::size_t offset) const;

private:
    std::vector<std::size_t> line_starts_;  // offsets after each '\n': at() is a binary search
};

// Parses the whole of `src.text` (RFC 8259; UTF-8; blanks around the value).
// On a syntax error, an invalid UTF-8 sequence, a number beyond the double
// range, a duplicate key or a limit exceeded, adds one error (E-JSON-SYNTAX,
// E-ENCODING, E-BAD-NUMBER, E-DUPLICATE) at its position and returns nullopt.
std::optional<Value> parse(const Source& src, Diagnostics& diags, const Limits& limits = {});

// Appends JSON to a string. Numbers in shortest round-trip form
// (text::number); NaN and infinities as null. Commas are placed by the
// writer: call key() before each member value of an object.
//
//   Writer w;
//   w.begin_object().key("time").begin_array().number(0).number(1).end_array().end_object();
//   w.str() == R"({"time":[0,1]})"
class Writer {
public:
    Writer& begin_object();
    Writer& end_object();
    Writer& begin_array();
    Writer& end_array();
    Writer& key(std::string_view k);
    Writer& string(std::string_view s);
    Writer& number(double v);
    Writer& boolean(bool b);
    Writer& null();
    // Text that is already one JSON value (e.g. from another writer).
    Writer& raw(std::string_view json);
    const std::string& str() const { return out_; }
    std::string take() { return std::move(out_); }

private:
    void separate();
    std::string out_;
    std::vector<bool> first_;  // per open container: nothing written in it yet
    bool after_key_ = false;
};

// A JSON string literal for `s` (quoted, escaped).
std::string quote(std::string_view s);

}  // namespace sim::serve::json
