// The dashboard's JSON reader and writer (json.hpp).
#include "json.hpp"

#include <algorithm>
#include <cmath>
#include <ostream>
#include <sstream>

#include "sim/results.hpp"
#include "util/text.hpp"

namespace sim::serve::json {

const char* to_string(Kind k) {
    switch (k) {
        case Kind::null: return "null";
        case Kind::boolean: return "a boolean";
        case Kind::number: return "a number";
        case Kind::string: return "a string";
        case Kind::array: return "an array";
        case Kind::object: return "an object";
    }
    return "?";
}

const Value* Value::find(std::string_view key) const {
    for (const auto& m : members)
        if (m.key == key) return &m.value;
    return nullptr;
}

Source::Source(std::string_view t, std::string n) : text(t), name(std::move(n)) {
    for (std::size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\n') line_starts_.push_back(i + 1);
}

SourceLoc Source::at(std::size_t offset) const {
    if (offset > text.size()) offset = text.size();
    // The number of line starts at or before `offset` is the line - 1.
    const auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    const std::size_t line_start = it == line_starts_.begin() ? 0 : *(it - 1);
    return SourceLoc{name, static_cast<int>(it - line_starts_.begin()) + 1, static_cast<int>(offset - line_start) + 1};
}

namespace {

// A character for messages: printable ASCII as itself, anything else as a code.
std::string shown(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
    static const char hex[] = "0123456789abcdef";
    return std::string("byte 0x") + hex[u >> 4] + hex[u & 15];
}

class Parser {
public:
    Parser(const Source& src, Diagnostics& diags, const Limits& limits)
        : src_(src), s_(src.text), diags_(diags), limits_(limits) {}

    std::optional<Value> document() {
        if (s_.size() > limits_.max_bytes) {
            fail(0, "the body is " + std::to_string(s_.size()) + " bytes long; at most " +
                        std::to_string(limits_.max_bytes) + " are accepted");
            return std::nullopt;
        }
        skip_blanks();
        if (pos_ == s_.size()) {
            fail(pos_, "the body is empty; expected a JSON value");
            return std::nullopt;
        }
        Value v;
        if (!value(v, 0)) return std::nullopt;
        skip_blanks();
        if (pos_ != s_.size()) {
            fail(pos_, "unexpected " + shown(s_[pos_]) + " after the JSON value");
            return std::nullopt;
        }
        return v;
    }

private:
    void fail(std::size_t at, const std::string& message, Code code = sim::Code::E_JSON_SYNTAX) {
        if (failed_) return;
        failed_ = true;
        diags_.error(code, src_.at(at), "", message);
    }

    void skip_blanks() {
        while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
            ++pos_;
    }

    bool value(Value& v, std::size_t depth) {
        if (++count_ > limits_.max_values) {
            fail(pos_, "the body holds more than " + std::to_string(limits_.max_values) + " JSON values");
            return false;
        }
        v.offset = pos_;
        if (pos_ == s_.size()) {
            fail(pos_, "the body ends where a JSON value was expected");
            return false;
        }
        const char c = s_[pos_];
        switch (c) {
            case '{': return object(v, depth + 1);
            case '[': return array(v, depth + 1);
            case '"':
                v.kind = Kind::string;
                return string(v.text);
            case 't': return literal("true", v, Kind::boolean, true);
            case 'f': return literal("false", v, Kind::boolean, false);
            case 'n': return literal("null", v, Kind::null, false);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return number(v);
                fail(pos_, "unexpected " + shown(c) + "; expected a JSON value");
                return false;
        }
    }

    bool literal(std::string_view word, Value& v, Kind kind, bool b) {
        if (s_.substr(pos_, word.size()) != word) {
            fail(pos_, "unexpected " + shown(s_[pos_]) + "; expected a JSON value");
            return false;
        }
        pos_ += word.size();
        v.kind = kind;
        v.boolean = b;
        return true;
    }

    bool digits() {
        const std::size_t from = pos_;
        while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
        return pos_ > from;
    }

    // RFC 8259: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    bool number(Value& v) {
        const std::size_t from = pos_;
        if (s_[pos_] == '-') ++pos_;
        if (pos_ < s_.size() && s_[pos_] == '0') {
            ++pos_;
        } else if (!digits()) {
            fail(pos_, "a number needs a digit here");
            return false;
        }
        if (pos_ < s_.size() && s_[pos_] == '.') {
            ++pos_;
            if (!digits()) {
                fail(pos_, "a number needs a digit after the decimal point");
                return false;
            }
        }
        if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
            ++pos_;
            if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
            if (!digits()) {
                fail(pos_, "a number needs a digit in its exponent");
                return false;
            }
        }
        v.kind = Kind::number;
        v.text = std::string(s_.substr(from, pos_ - from));
        const auto p = text::parse_number(v.text);
        if (!p) {  // the grammar was checked: only the range can fail
            fail(from, "value '" + v.text + "' " + text::describe(p.status), sim::Code::E_BAD_NUMBER);
            return false;
        }
        v.number = p.value;
        return true;
    }

    static void put_utf8(std::string& out, std::uint32_t cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xc0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xe0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        } else {
            out += static_cast<char>(0xf0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        }
    }

    bool hex4(std::uint32_t& cp) {
        if (s_.size() - pos_ < 4) {
            fail(pos_, "a \\u escape needs four hexadecimal digits");
            return false;
        }
        cp = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = s_[pos_ + i];
            cp <<= 4;
            if (c >= '0' && c <= '9') cp |= static_cast<std::uint32_t>(c - '0');
            else if (c >= 'a' && c <= 'f') cp |= static_cast<std::uint32_t>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') cp |= static_cast<std::uint32_t>(c - 'A' + 10);
            else {
                fail(pos_ + i, "a \\u escape needs four hexadecimal digits");
                return false;
            }
        }
        pos_ += 4;
        return true;
    }

    // Length of the valid UTF-8 sequence at pos_ (1 to 4), or 0.
    std::size_t utf8_length() const {
        const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s_[pos_ + i]); };
        const auto cont = [&](std::size_t i) { return pos_ + i < s_.size() && (b(i) & 0xc0) == 0x80; };
        const unsigned char c = b(0);
        if (c < 0x80) return 1;
        if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
        if (c >= 0xe0 && c <= 0xef) {
            if (!cont(1) || !cont(2)) return 0;
            if (c == 0xe0 && b(1) < 0xa0) return 0;   // overlong
            if (c == 0xed && b(1) >= 0xa0) return 0;  // a surrogate
            return 3;
        }
        if (c >= 0xf0 && c <= 0xf4) {
            if (!cont(1) || !cont(2) || !cont(3)) return 0;
            if (c == 0xf0 && b(1) < 0x90) return 0;   // overlong
            if (c == 0xf4 && b(1) >= 0x90) return 0;  // beyond U+10FFFF
            return 4;
        }
        return 0;
    }

    bool string(std::string& out) {
        const std::size_t open = pos_++;
        for (;;) {
            if (pos_ == s_.size()) {
                fail(open, "a string that is never closed");
                return false;
            }
            const char c = s_[pos_];
            if (c == '"') {
                ++pos_;
                return true;
            }
            if (static_cast<unsigned char>(c) < 0x20) {
                fail(pos_, "a control character (" + shown(c) + ") inside a string; write it as an escape");
                return false;
            }
            if (c == '\\') {
                if (++pos_ == s_.size()) {
                    fail(open, "a string that is never closed");
                    return false;
                }
                const char e = s_[pos_++];
                switch (e) {
                    case '"': out += '"'; break;
                    case '\\': out += '\\'; break;
                    case '/': out += '/'; break;
                    case 'b': out += '\b'; break;
                    case 'f': out += '\f'; break;
                    case 'n': out += '\n'; break;
                    case 'r': out += '\r'; break;
                    case 't': out += '\t'; break;
                    case 'u': {
                        std::uint32_t cp = 0;
                        const std::size_t at = pos_ - 2;
                        if (!hex4(cp)) return false;
                        if (cp >= 0xd800 && cp <= 0xdbff) {
                            std::uint32_t lo = 0;
                            if (s_.substr(pos_, 2) != "\\u") {
                                fail(at, "a \\u escape of a high surrogate must be followed by a low one");
                                return false;
                            }
                            pos_ += 2;
                            if (!hex4(lo)) return false;
                            if (lo < 0xdc00 || lo > 0xdfff) {
                                fail(at, "a \\u escape of a high surrogate must be followed by a low one");
                                return false;
                            }
                            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                        } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                            fail(at, "a \\u escape of a lone low surrogate");
                            return false;
                        }
                        put_utf8(out, cp);
                        break;
                    }
                    default:
                        fail(pos_ - 2, "unknown escape '\\" + std::string(1, e) + "' in a string");
                        return false;
                }
                continue;
            }
            const std::size_t n = utf8_length();
            if (n == 0) {
                fail(pos_, "invalid UTF-8 (" + shown(c) + ") in a string", sim::Code::E_ENCODING);
                return false;
            }
            out.append(s_.substr(pos_, n));
            pos_ += n;
        }
    }

    bool deeper(std::size_t depth) {
        if (depth <= limits_.max_depth) return true;
        fail(pos_, "arrays and objects nest more than " + std::to_string(limits_.max_depth) + " deep");
        return false;
    }

    bool array(Value& v, std::size_t depth) {
        if (!deeper(depth)) return false;
        v.kind = Kind::array;
        ++pos_;
        skip_blanks();
        if (pos_ < s_.size() && s_[pos_] == ']') {
            ++pos_;
            return true;
        }
        for (;;) {
            skip_blanks();
            v.items.emplace_back();
            if (!value(v.items.back(), depth)) return false;
            skip_blanks();
            if (pos_ == s_.size()) {
                fail(v.offset, "an array that is never closed (no ']')");
                return false;
            }
            if (s_[pos_] == ']') {
                ++pos_;
                return true;
            }
            if (s_[pos_] != ',') {
                fail(pos_, "unexpected " + shown(s_[pos_]) + " in an array; expected ',' or ']'");
                return false;
            }
            ++pos_;
        }
    }

    bool object(Value& v, std::size_t depth) {
        if (!deeper(depth)) return false;
        v.kind = Kind::object;
        ++pos_;
        skip_blanks();
        if (pos_ < s_.size() && s_[pos_] == '}') {
            ++pos_;
            return true;
        }
        for (;;) {
            skip_blanks();
            if (pos_ == s_.size()) {
                fail(v.offset, "an object that is never closed (no '}')");
                return false;
            }
            if (s_[pos_] != '"') {
                fail(pos_, "unexpected " + shown(s_[pos_]) + " in an object; expected a key in double quotes");
                return false;
            }
            Member m;
            m.key_offset = pos_;
            if (!string(m.key)) return false;
            for (const auto& other : v.members)
                if (other.key == m.key) {
                    fail(m.key_offset, "key '" + m.key + "' appears twice in one object", sim::Code::E_DUPLICATE);
                    return false;
                }
            skip_blanks();
            if (pos_ == s_.size() || s_[pos_] != ':') {
                fail(pos_, "expected ':' after the key '" + m.key + "'");
                return false;
            }
            ++pos_;
            skip_blanks();
            if (!value(m.value, depth)) return false;
            v.members.push_back(std::move(m));
            skip_blanks();
            if (pos_ == s_.size()) {
                fail(v.offset, "an object that is never closed (no '}')");
                return false;
            }
            if (s_[pos_] == '}') {
                ++pos_;
                return true;
            }
            if (s_[pos_] != ',') {
                fail(pos_, "unexpected " + shown(s_[pos_]) + " in an object; expected ',' or '}'");
                return false;
            }
            ++pos_;
        }
    }

    const Source& src_;
    std::string_view s_;
    Diagnostics& diags_;
    const Limits& limits_;
    std::size_t pos_ = 0;
    std::size_t count_ = 0;
    bool failed_ = false;
};

}  // namespace

std::optional<Value> parse(const Source& src, Diagnostics& diags, const Limits& limits) {
    return Parser(src, diags, limits).document();
}

std::string quote(std::string_view s) {
    std::ostringstream os;
    sim::write_json_string(os, s);
    return os.str();
}

void Writer::separate() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (!first_.empty()) {
        if (!first_.back()) out_ += ',';
        first_.back() = false;
    }
}

Writer& Writer::begin_object() {
    separate();
    out_ += '{';
    first_.push_back(true);
    return *this;
}

Writer& Writer::end_object() {
    out_ += '}';
    first_.pop_back();
    return *this;
}

Writer& Writer::begin_array() {
    separate();
    out_ += '[';
    first_.push_back(true);
    return *this;
}

Writer& Writer::end_array() {
    out_ += ']';
    first_.pop_back();
    return *this;
}

Writer& Writer::key(std::string_view k) {
    separate();
    out_ += quote(k);
    out_ += ':';
    after_key_ = true;
    return *this;
}

Writer& Writer::string(std::string_view s) {
    separate();
    out_ += quote(s);
    return *this;
}

Writer& Writer::number(double v) {
    separate();
    out_ += std::isfinite(v) ? text::number(v) : "null";
    return *this;
}

Writer& Writer::boolean(bool b) {
    separate();
    out_ += b ? "true" : "false";
    return *this;
}

Writer& Writer::null() {
    separate();
    out_ += "null";
    return *this;
}

Writer& Writer::raw(std::string_view json) {
    separate();
    out_ += json;
    return *this;
}

}  // namespace sim::serve::json
