// util/text: the one number formatter, parser, CSV quoting and suggestion policy.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <limits>
#include <string>
#include <vector>

#include "util/text.hpp"

using namespace sim;

TEST_CASE("text::number is the shortest round-trip form") {
    CHECK(text::number(0.3) == "0.3");
    CHECK(text::number(1e20) == "1e+20");
    CHECK(text::number(-2.5) == "-2.5");
    CHECK(text::number(0) == "0");
    CHECK(text::number(std::nan("")) == "nan");
    CHECK(text::number(-std::numeric_limits<double>::infinity()) == "-inf");
    for (double v : {0.1, 1.0 / 3.0, 6.02214076e23, 5e-324, 1.7976931348623157e308}) {
        auto p = text::parse_number(text::number(v));
        REQUIRE(p);
        CHECK(p.value == v);
    }
}

TEST_CASE("text::number_sig rounds for people") {
    CHECK(text::number_sig(3.0643e12, 3) == "3.06e+12");
    CHECK(text::number_sig(0.012345678, 4) == "0.01235");
    CHECK(text::number_sig(2.0) == "2");
}

TEST_CASE("text::parse_number tells empty, malformed and out of range apart") {
    CHECK(text::parse_number(" +1.5 ").value == 1.5);
    CHECK(text::parse_number("-2e-3").value == -2e-3);
    CHECK(text::parse_number("").status == text::NumberStatus::empty);
    CHECK(text::parse_number("  ").status == text::NumberStatus::empty);
    CHECK(text::parse_number("1x").status == text::NumberStatus::malformed);
    CHECK(text::parse_number("++1").status == text::NumberStatus::malformed);
    CHECK(text::parse_number("+").status == text::NumberStatus::malformed);
    CHECK(text::parse_number("inf").status == text::NumberStatus::malformed);
    CHECK(text::parse_number("nan").status == text::NumberStatus::malformed);
    CHECK(text::parse_number("1e400").status == text::NumberStatus::out_of_range);
    CHECK(text::parse_number("-1e400").status == text::NumberStatus::out_of_range);
    auto tiny = text::parse_number("1e-400");  // underflow rounds to zero, as strtod
    REQUIRE(tiny);
    CHECK(tiny.value == 0.0);
    CHECK(std::string(text::describe(text::NumberStatus::out_of_range)).find("out of range") != std::string::npos);
}

TEST_CASE("text::csv_field quotes only when needed") {
    CHECK(text::csv_field("plain") == "plain");
    CHECK(text::csv_field("a,b") == "\"a,b\"");
    CHECK(text::csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(text::csv_field("two\nlines") == "\"two\nlines\"");
}

TEST_CASE("text::closest: one suggestion policy") {
    std::vector<std::string> c{"population", "birth rate", "death_rate"};
    CHECK(text::edit_distance("nmae", "name") == 1);
    CHECK(text::edit_distance("", "abc") == 3);
    CHECK(text::closest("popluation", c) == std::optional<std::string>("population"));
    CHECK(text::closest("Birth Rat", c) == std::optional<std::string>("birth rate"));
    CHECK_FALSE(text::closest("zzz", c));
    CHECK_FALSE(text::closest("x", std::vector<std::string>{}));
}

TEST_CASE("text::closest: the early exit picks what the full distance picks") {
    // closest stops a candidate's distance once two rows exceed the best so
    // far; the plain rule (first candidate of least full distance within the
    // limit) must give the same answer. Random short words over a small
    // alphabet, so that near misses, ties and swaps are common.
    std::uint64_t s = 12345;
    auto next = [&] { return s = s * 6364136223846793005ULL + 1442695040888963407ULL, s >> 33; };
    auto word = [&] {
        std::string w(1 + next() % 9, 'a');
        for (auto& ch : w) ch = "abcAB_ "[next() % 7];
        return w;
    };
    for (int trial = 0; trial < 2000; ++trial) {
        const std::string w = word();
        std::vector<std::string> cands(1 + next() % 12);
        for (auto& c : cands) c = word();
        const std::string lw = text::lower(w);
        const std::size_t limit = std::clamp<std::size_t>(lw.size() / 3, 1, 3);
        std::optional<std::string> expected;
        std::size_t best = limit + 1;
        for (const auto& c : cands)
            if (std::size_t d = text::edit_distance(lw, text::lower(c)); d < best) best = d, expected = c;
        CHECK_MESSAGE(text::closest(w, cands) == expected, "word '" << w << "'");
    }
}
