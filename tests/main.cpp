// The unit tests' main: doctest, plus skips that ctest can see. A test whose
// tool is missing calls simtest::skip(reason) and returns; run alone (as
// ctest runs each test case, with --skip-exit-code=77) the binary then exits
// with that code, which ctest reports as "Skipped". Run whole, it lists the
// skipped cases at the end.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "support.hpp"

namespace simtest {

std::vector<std::string>& skipped() {
    static std::vector<std::string> s;
    return s;
}

void skip(const std::string& reason) {
    const auto* tc = doctest::getContextOptions()->currentTest;
    skipped().push_back(std::string(tc ? tc->m_name : "?") + ": " + reason);
    MESSAGE("skipped: " << reason);
}

}  // namespace simtest

int main(int argc, char** argv) {
    int skip_code = 0;
    for (int i = 1; i < argc; ++i)
        if (std::strncmp(argv[i], "--skip-exit-code=", 17) == 0) skip_code = std::atoi(argv[i] + 17);
    doctest::Context ctx;
    ctx.applyCommandLine(argc, argv);
    int rc = ctx.run();
    if (ctx.shouldExit()) return rc;
    if (!simtest::skipped().empty()) {
        std::cout << "SKIPPED (" << simtest::skipped().size() << " test case"
                  << (simtest::skipped().size() == 1 ? "" : "s") << "):\n";
        for (const auto& s : simtest::skipped()) std::cout << "  " << s << '\n';
        if (rc == 0 && skip_code != 0) return skip_code;
    }
    return rc;
}
