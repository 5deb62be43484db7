// The dashboard's JSON reader and writer (libsim/serve/src/json.hpp):
// RFC 8259 values, positions, every refusal with its code and place, the
// bounds on size, depth and value count, and the writer's output.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "json.hpp"
#include "support.hpp"

using namespace sim::serve;

namespace {

std::optional<json::Value> parse(const std::string& text, sim::Diagnostics& d, json::Limits lim = {}) {
    return json::parse(json::Source{text, "body"}, d, lim);
}

// The single error of a refused text: "line:col code message".
std::string refusal(const std::string& text, json::Limits lim = {}) {
    sim::Diagnostics d;
    auto v = parse(text, d, lim);
    REQUIRE_FALSE(v.has_value());
    REQUIRE(d.items().size() == 1);
    const auto& e = d.items().front();
    CHECK(e.loc.file == "body");
    return std::to_string(e.loc.line) + ":" + std::to_string(e.loc.col) + " " + sim::name(e.code) + " " + e.message;
}

}  // namespace

TEST_CASE("json: values of every kind, with their positions") {
    sim::Diagnostics d;
    const std::string text = "{\"a\": [1, -2.5e3, true, false, null, \"x\\n\\u00e9\\ud83d\\ude00\"],\n \"b\": {}}";
    auto v = parse(text, d);
    REQUIRE(v);
    CHECK(d.empty());
    REQUIRE(v->is(json::Kind::object));
    REQUIRE(v->members.size() == 2);
    const json::Value* a = v->find("a");
    REQUIRE(a);
    REQUIRE(a->items.size() == 6);
    CHECK(a->items[0].number == 1);
    CHECK(a->items[1].number == -2500);
    CHECK(a->items[1].text == "-2.5e3");
    CHECK(a->items[2].boolean);
    CHECK(a->items[3].is(json::Kind::boolean));
    CHECK_FALSE(a->items[3].boolean);
    CHECK(a->items[4].is(json::Kind::null));
    CHECK(a->items[5].text == "x\n\xc3\xa9\xf0\x9f\x98\x80");
    // Positions: "b" is the key at line 2, column 2.
    const json::Source src{text, "body"};
    CHECK(src.at(v->members[1].key_offset).line == 2);
    CHECK(src.at(v->members[1].key_offset).col == 2);
    CHECK(src.at(a->items[1].offset).col == 11);
    CHECK(v->find("missing") == nullptr);
}

TEST_CASE("json: numbers are read by the one number parser, exactly") {
    sim::Diagnostics d;
    for (const char* t : {"0.1", "1e-320", "-0", "123456789012345678901234567890", "2.2250738585072014e-308"}) {
        auto v = parse(t, d);
        REQUIRE(v);
        CHECK(v->number == std::strtod(t, nullptr));
    }
    CHECK(refusal("1e400") == "1:1 E-BAD-NUMBER value '1e400' is out of range (beyond about ±1.8e308)");
    CHECK(refusal("[01]") == "1:3 E-JSON-SYNTAX unexpected '1' in an array; expected ',' or ']'");
    CHECK(refusal("1.") == "1:3 E-JSON-SYNTAX a number needs a digit after the decimal point");
    CHECK(refusal("-") == "1:2 E-JSON-SYNTAX a number needs a digit here");
    CHECK(refusal("1e+") == "1:4 E-JSON-SYNTAX a number needs a digit in its exponent");
    CHECK(refusal("+1") == "1:1 E-JSON-SYNTAX unexpected '+'; expected a JSON value");
    CHECK(refusal(".5") == "1:1 E-JSON-SYNTAX unexpected '.'; expected a JSON value");
    CHECK(refusal("NaN") == "1:1 E-JSON-SYNTAX unexpected 'N'; expected a JSON value");
    CHECK(refusal("Infinity") == "1:1 E-JSON-SYNTAX unexpected 'I'; expected a JSON value");
}

TEST_CASE("json: syntax errors are placed where they are") {
    CHECK(refusal("") == "1:1 E-JSON-SYNTAX the body is empty; expected a JSON value");
    CHECK(refusal("  \n ") == "2:2 E-JSON-SYNTAX the body is empty; expected a JSON value");
    CHECK(refusal("{\"a\": 1,}") == "1:9 E-JSON-SYNTAX unexpected '}' in an object; expected a key in double quotes");
    CHECK(refusal("{\"a\" 1}") == "1:6 E-JSON-SYNTAX expected ':' after the key 'a'");
    CHECK(refusal("{\"a\": 1") == "1:1 E-JSON-SYNTAX an object that is never closed (no '}')");
    CHECK(refusal("[1, 2") == "1:1 E-JSON-SYNTAX an array that is never closed (no ']')");
    CHECK(refusal("[1 2]") == "1:4 E-JSON-SYNTAX unexpected '2' in an array; expected ',' or ']'");
    CHECK(refusal("{a: 1}") == "1:2 E-JSON-SYNTAX unexpected 'a' in an object; expected a key in double quotes");
    CHECK(refusal("\"abc") == "1:1 E-JSON-SYNTAX a string that is never closed");
    CHECK(refusal("\"a\tb\"") == "1:3 E-JSON-SYNTAX a control character (byte 0x09) inside a string; write it as an escape");
    CHECK(refusal("\"\\x\"") == "1:2 E-JSON-SYNTAX unknown escape '\\x' in a string");
    CHECK(refusal("\"\\u12\"") == "1:4 E-JSON-SYNTAX a \\u escape needs four hexadecimal digits");
    CHECK(refusal("\"\\ud800\"") == "1:2 E-JSON-SYNTAX a \\u escape of a high surrogate must be followed by a low one");
    CHECK(refusal("\"\\udc00\"") == "1:2 E-JSON-SYNTAX a \\u escape of a lone low surrogate");
    CHECK(refusal("tru") == "1:1 E-JSON-SYNTAX unexpected 't'; expected a JSON value");
    CHECK(refusal("{} {}") == "1:4 E-JSON-SYNTAX unexpected '{' after the JSON value");
    CHECK(refusal("{\"a\": 1, \"a\": 2}") == "1:10 E-DUPLICATE key 'a' appears twice in one object");
    CHECK(refusal("\"\xff\"") == "1:2 E-ENCODING invalid UTF-8 (byte 0xff) in a string");
    CHECK(refusal("\"\xc0\xaf\"") == "1:2 E-ENCODING invalid UTF-8 (byte 0xc0) in a string");       // overlong
    CHECK(refusal("\"\xed\xa0\x80\"") == "1:2 E-ENCODING invalid UTF-8 (byte 0xed) in a string");   // a surrogate
    CHECK(refusal("\"\xf4\x90\x80\x80\"") == "1:2 E-ENCODING invalid UTF-8 (byte 0xf4) in a string");  // > U+10FFFF
    CHECK(refusal(std::string("[1,\0]", 5)) == "1:4 E-JSON-SYNTAX unexpected byte 0x00; expected a JSON value");
}

TEST_CASE("json: size, depth and value count are bounded") {
    json::Limits lim;
    lim.max_depth = 3;
    sim::Diagnostics d;
    CHECK(parse("[[[1]]]", d, lim));
    CHECK(refusal("[[[[1]]]]", lim) == "1:4 E-JSON-SYNTAX arrays and objects nest more than 3 deep");
    CHECK(refusal("{\"a\":{\"b\":{\"c\":{}}}}", lim) == "1:16 E-JSON-SYNTAX arrays and objects nest more than 3 deep");
    // Deep nesting at the default limit is refused without exhausting the stack.
    const std::string deep(1000000, '[');
    CHECK(refusal(deep) == "1:33 E-JSON-SYNTAX arrays and objects nest more than 32 deep");
    lim = {};
    lim.max_values = 4;
    CHECK(parse("[1,2,3]", d, lim));
    CHECK(refusal("[1,2,3,4]", lim) == "1:8 E-JSON-SYNTAX the body holds more than 4 JSON values");
    lim = {};
    lim.max_bytes = 8;
    CHECK(refusal("[1,2,3,4]", lim) == "1:1 E-JSON-SYNTAX the body is 9 bytes long; at most 8 are accepted");
}

TEST_CASE("json: the writer places commas and writes numbers that read back") {
    json::Writer w;
    w.begin_object().key("a").begin_array().number(0.1).number(1e300).number(-0.0).number(NAN).number(INFINITY);
    w.end_array().key("b \"q\"").string("x\ny").key("c").boolean(true).key("d").null();
    w.key("e").begin_object().end_object().key("f").raw("[1]").end_object();
    CHECK(w.str() == R"({"a":[0.1,1e+300,-0,null,null],"b \"q\"":"x\ny","c":true,"d":null,"e":{},"f":[1]})");
    sim::Diagnostics d;
    auto v = parse(w.str(), d);
    REQUIRE(v);
    CHECK(v->find("a")->items[0].number == 0.1);
    CHECK(v->find("b \"q\"")->text == "x\ny");
    CHECK(json::quote("\x01") == "\"\\u0001\"");
}
